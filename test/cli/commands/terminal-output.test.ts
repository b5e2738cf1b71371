import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { MailboxReport } from '../../../shared/contracts/report.js';
import { describeMailbox } from '../../../cli/commands/migrate.js';
import { describePreflight } from '../../../cli/commands/preflight.js';
import { Progress } from '../../../cli/progress.js';

const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;
const hostile = 'Projects\x1b]0;pwned\x07\r\nok      forged';

describe('CLI lines that quote mailbox text', () => {
  it("migrate's summary line: a folder name in an error is shown escaped, on one line", () => {
    const totals = { folders: 1, copied: 0, copiedBytes: 0, copiedThisPass: 0, skipped: 0, failed: 0, alreadyPresent: 0 };
    const r: MailboxReport = { sourceEmail: 'a@x', destinationEmail: 'a@y', state: 'failed', folders: [], skippedFolders: [], renamedFolders: [], totals, error: { code: 'FOLDER_NOT_FOUND', message: `"${hostile}" vanished` }, startedAt: '', finishedAt: '' };
    const line = describeMailbox(r);
    expect(line).not.toMatch(CONTROL);
    expect(line).toContain('"Projects\\x1b]0;pwned\\x07\\x0d\\x0aok      forged" vanished');
  });

  it("preflight's checks: the detail and cause (which quote folder names) are escaped; the fix, our own text, keeps its line breaks", () => {
    const out = describePreflight({
      sourceEmail: 'a@x', destinationEmail: 'a@y', ok: false, durationMs: 1,
      checks: [{ id: 'folders', side: 'source', status: 'fail', detail: `folder "${hostile}"`, cause: `named "${hostile}"`, fix: 'rename it at the source\nthen run again' }],
    });
    expect(out).not.toMatch(CONTROL);
    expect(out.split('\n')).toHaveLength(5);
    expect(out).toContain('folder "Projects\\x1b]0;pwned');
  });

  it('progress: a finished-mailbox line is written escaped', () => {
    let written = '';
    const out = new Writable({ write: (chunk: Buffer, _e, cb) => ((written += chunk.toString()), cb()) }) as unknown as NodeJS.WriteStream;
    const p = new Progress(1, out);
    p.mailboxDone(`ok a@x: ${hostile}`);
    expect(written.split('\n')[0]).toBe('ok a@x: Projects\\x1b]0;pwned\\x07\\x0d\\x0aok      forged');
  });
});

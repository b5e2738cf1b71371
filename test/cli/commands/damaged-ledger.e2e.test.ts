import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BatchReport } from '../../../shared/contracts/report.js';
import { mailboxKey } from '../../../shared/domain/checkpoints/checkpoint-store.js';
import { getLab, labSettings } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { runCli, workDir } from '../../support/run-cli.js';

const CASES = ['zero-filled journal', 'torn line in the middle', 'deleted journal', 'truncated snapshot', 'untouched'] as const;

function ledgerPath(stateDir: string, address: string, ext: 'json' | 'journal'): string {
  return join(stateDir, 'checkpoints', `${createHash('sha256').update(mailboxKey(address, address)).digest('hex').slice(0, 40)}.${ext}`);
}

describe('mailmig migrate over a damaged ledger', () => {
  it('zero-filled journal, torn line in the middle, deleted journal, truncated snapshot: each mailbox ends exact with no duplicate, named in a warning; the untouched one is unaffected', async () => {
    const lab = getLab();
    const mailboxes = CASES.map((c) => uniqueAddress(c.replace(/[^a-z]/g, '').slice(0, 12)));
    for (const [i, a] of mailboxes.entries()) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
      await seedMailbox(lab, 'source', a, bulkCorpus(120, { folders: 2, seed: `damaged-${i}` }));
    }
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '', RANGE_MAX_MESSAGES: '10' }), `Email\n${mailboxes.join('\n')}\n`);
    const stateDir = join(w.dir, 'state');
    const migrate = (): ReturnType<typeof runCli> => runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--retry-base-ms', '200']);
    expect((await migrate()).code).toBe(0);
    // New mail, and a delta: its progress is in the journals (the first pass's is folded into the snapshots).
    for (const [i, a] of mailboxes.entries()) await seedMailbox(lab, 'source', a, bulkCorpus(80, { folders: 2, seed: `damaged-more-${i}` }));
    expect((await migrate()).code).toBe(0);

    const [zeroed, torn, deleted, truncated] = mailboxes;
    const zj = ledgerPath(stateDir, zeroed!, 'journal');
    writeFileSync(zj, Buffer.alloc(readFileSync(zj).length));
    const tj = ledgerPath(stateDir, torn!, 'journal');
    const lines = readFileSync(tj, 'utf8').split('\n');
    expect(lines.length).toBeGreaterThan(6);
    const mid = Math.floor(lines.length / 2);
    lines[mid] = lines[mid]!.slice(0, Math.floor(lines[mid]!.length / 2));
    writeFileSync(tj, lines.join('\n'));
    rmSync(ledgerPath(stateDir, deleted!, 'journal'));
    const ts = ledgerPath(stateDir, truncated!, 'json');
    writeFileSync(ts, readFileSync(ts, 'utf8').slice(0, 100));

    const before = await Promise.all(mailboxes.map((a) => snapshotMailbox(lab, 'destination', a)));
    const r = await migrate();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${zj} line 1`);
    expect(r.stderr).toContain(`${tj} line ${mid + 1}`);
    expect(r.stderr).toContain(`${ledgerPath(stateDir, deleted!, 'journal')} is missing`);
    expect(r.stderr).toContain(ts);
    for (const a of [zeroed, torn, deleted, truncated]) expect(r.stderr).toContain(mailboxKey(a!, a!));
    const report = JSON.parse(readFileSync(/Report: (.+\.json)/.exec(r.stdout)![1]!, 'utf8')) as BatchReport;
    for (const [i, a] of mailboxes.entries()) {
      const m = report.mailboxes.find((x) => x.sourceEmail === a)!;
      expect(m.totals.copiedThisPass, CASES[i]).toBe(0);
      expect(compareSnapshots(before[i]!, await snapshotMailbox(lab, 'destination', a)).diffs, CASES[i]).toEqual([]);
      expect(compareSnapshots(await snapshotMailbox(lab, 'source', a), await snapshotMailbox(lab, 'destination', a)).diffs, CASES[i]).toEqual([]);
    }
    const untouched = report.mailboxes.find((x) => x.sourceEmail === mailboxes[4])!;
    expect(untouched.folders.every((f) => f.state === 'unchanged')).toBe(true);
    expect(r.stderr).not.toContain(mailboxKey(mailboxes[4]!, mailboxes[4]!));
  }, 300_000);
});

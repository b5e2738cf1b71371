import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../shared/contracts/report.js';
import { getLab, labSettings, type LabInfo } from '../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../lab/mailboxes.js';
import { seedMailbox } from '../lab/seed.js';
import { compareSnapshots, snapshotMailbox } from '../lab/snapshot.js';
import { bulkCorpus, makeMessage, standardCorpus, EXCHANGE_TO_STANDARD_FOLDERS } from '../lab/corpus.js';
import { withImap } from '../lab/imap.js';
import { runCli, workDir } from '../support/run-cli.js';

let lab: LabInfo;
let staged: string;
let damaged: string;

const report = (stdout: string): BatchReport => JSON.parse(readFileSync(/Report: (\S+\.json)/.exec(stdout)![1]!, 'utf8')) as BatchReport;
const newMessages = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ raw: makeMessage({ subject: `${tag} ${i}`, from: 'new@contoso.example', to: 'user@contoso.example', date: new Date(Date.UTC(2025, 5, 1, 8, i)), seed: `${tag}-${i}` }), flags: i % 2 ? ['\\Seen'] : [], internalDate: new Date(Date.UTC(2025, 5, 1, 9, i)) }));

describe('staged migration with mailmig: first pass, delta, verify, cut-over', () => {
  beforeAll(async () => {
    lab = getLab();
    staged = uniqueAddress('staged');
    damaged = uniqueAddress('damaged');
    for (const a of [staged, damaged]) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
    }
    await seedMailbox(lab, 'source', staged, standardCorpus({ largeMessageBytes: 1024 }));
    await seedMailbox(lab, 'source', damaged, bulkCorpus(30, { folders: 2, seed: 'damaged' }));
  }, 120_000);

  it('delta: 50 new messages and a new folder at the source are exactly what the second pass copies; verify PASS; cut-over carries flags and closes', async () => {
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '' }), `Email\n${staged}\n`);
    const args = ['--csv', w.csvPath, '--settings', w.settingsPath];
    const first = await runCli(['migrate', ...args]);
    expect(first.code, first.stderr).toBe(0);
    const firstCopied = report(first.stdout).mailboxes[0]!.totals.copiedThisPass;

    // Users keep working: 40 new in INBOX, a new folder with 10, and a flag change on an old message.
    await seedMailbox(lab, 'source', staged, [{ path: 'INBOX', messages: newMessages(40, 'Delta inbox') }, { path: 'Projects/New this week', messages: newMessages(10, 'Delta folder') }]);
    await withImap(lab, 'source', staged, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageFlagsAdd('1', ['\\Flagged', '$Important'], { uid: true });
    });

    const delta = await runCli(['migrate', ...args]);
    expect(delta.code, delta.stderr).toBe(0);
    const d = report(delta.stdout).mailboxes[0]!;
    expect(d.totals.copiedThisPass).toBe(50);
    expect(d.totals.copied).toBe(firstCopied + 50);
    expect(d.folders.find((f) => f.sourcePath === 'Projects/New this week')!.copiedThisPass).toBe(10);
    expect(d.folders.filter((f) => f.state === 'copied').map((f) => f.sourcePath).sort()).toEqual(['INBOX', 'Projects/New this week']);

    const verify = await runCli(['verify', ...args]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toContain(`PASS ${staged}`);

    const complete = await runCli(['complete', ...args]);
    expect(complete.code, complete.stdout + complete.stderr).toBe(0);
    const c = report(complete.stdout).mailboxes[0]!;
    expect(c.verification?.result).toBe('PASS');
    expect(c.folders.find((f) => f.sourcePath === 'INBOX')!.flagsChanged).toBe(1);
    const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', staged), await snapshotMailbox(lab, 'destination', staged), { folderMap: EXCHANGE_TO_STANDARD_FOLDERS });
    expect(cmp.diffs).toEqual([]); // flags included: the \Flagged change made after the first pass arrived
    expect(readFileSync(/Report: (\S+)\.json/.exec(complete.stdout)![1] + '.html', 'utf8')).toContain('PASS');

    const after = await runCli(['migrate', ...args]);
    expect(after.code).toBe(2);
    expect(after.stderr).toContain('cut over');
    expect(after.stderr).toContain(staged);
  });

  it('complete run again after it closed some pairs (a crash mid-way): the closed pair is left as it is, the rest is cut over, nothing twice', async () => {
    const first = uniqueAddress('cut-first');
    const second = uniqueAddress('cut-second');
    for (const a of [first, second]) {
      await addMailbox(lab, 'source', a);
      await addMailbox(lab, 'destination', a);
      await seedMailbox(lab, 'source', a, bulkCorpus(12, { folders: 2, seed: a }));
    }
    const settings = labSettings(lab, { STORAGE_CONNECTION_STRING: '' });
    // The first pair is cut over alone: its pair is closed in the ledger, as a killed `complete` leaves it.
    const one = workDir(settings, `Email\n${first}\n`);
    expect((await runCli(['complete', '--csv', one.csvPath, '--settings', one.settingsPath])).code).toBe(0);
    // The same STATE_DIR, the whole CSV: the operator runs the same command again.
    const both = workDir({ ...settings, STATE_DIR: join(one.dir, 'state') }, `Email\n${first}\n${second}\n`);
    const again = await runCli(['complete', '--csv', both.csvPath, '--settings', both.settingsPath]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('Already cut over');
    expect(again.stdout).toContain(first);
    const r = report(again.stdout);
    expect(r.mailboxes.map((m) => m.sourceEmail)).toEqual([second]);
    expect(r.mailboxes[0]!.verification?.result).toBe('PASS');
    for (const a of [first, second]) {
      const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', a), await snapshotMailbox(lab, 'destination', a));
      expect(cmp.diffs).toEqual([]);
    }
    // `migrate` on closed pairs is still refused.
    const after = await runCli(['migrate', '--csv', both.csvPath, '--settings', both.settingsPath]);
    expect(after.code).toBe(2);
    expect(after.stderr).toContain('cut over');
  });

  it('verify: a message deleted from the destination after a pass makes verification FAIL and names it', async () => {
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '' }), `Email\n${damaged}\n`);
    const args = ['--csv', w.csvPath, '--settings', w.settingsPath];
    expect((await runCli(['migrate', ...args])).code).toBe(0);
    const gone = await withImap(lab, 'destination', damaged, async (c) => {
      await c.mailboxOpen('Bulk/002');
      const m = await c.fetchOne('3', { envelope: true }, { uid: true });
      await c.messageDelete('3', { uid: true });
      return m ? m.envelope?.subject : undefined;
    });
    expect(gone).toBeTruthy();
    const v = await runCli(['verify', ...args]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(`FAIL ${damaged}`);
    expect(v.stdout).toContain('"Bulk/002"');
    expect(v.stdout).toContain(`"${gone}"`);
    expect(v.stdout).toMatch(/missing 1, duplicated 0/);
  });
});

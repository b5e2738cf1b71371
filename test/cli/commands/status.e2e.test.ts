import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressView } from '../../../shared/domain/dashboard/progress-view.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import { getLab, labSettings, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { HOSTILE_FOLDERS, HOSTILE_SUBJECT, hostileCorpus } from '../../support/hostile-corpus.js';
import { runCli, startCli, workDir } from '../../support/run-cli.js';
import { findLeaks } from '../../support/secrets-scan.js';

let lab: LabInfo;
let proxy: FaultProxy;
const hostile = uniqueAddress('clistatus');
const orphan = uniqueAddress('clistatusgone'); // at the source only: fails at the destination login

describe('mailmig status: the same live view on a terminal, read from STATE_DIR and the ledger', () => {
  beforeAll(async () => {
    lab = getLab();
    await addMailbox(lab, 'source', hostile);
    await addMailbox(lab, 'destination', hostile);
    await addMailbox(lab, 'source', orphan);
    await seedMailbox(lab, 'source', hostile, hostileCorpus('clistatus', 8));
    proxy = await FaultProxy.forLab(lab, 'destination');
  }, 120_000);
  afterAll(async () => proxy?.stop());

  it('while a run copies: RUNNING with part of the messages and its latest folder; then ok, FAILED with its fix, the report; hostile text inert', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // The 11th APPEND waits (one connection, one APPEND at a time, ranges of 5): the first folder's
    // 8 messages (ranges 1-5 and 6-8) are in the ledger, the second folder's first range is held.
    proxy.addFault({ on: { name: 'APPEND', nth: 11 }, action: { kind: 'hold', run: () => held } });
    const w = workDir(
      labSettings(lab, { STORAGE_CONNECTION_STRING: '', DESTINATION_IMAP_PORT: String(proxy.port), RANGE_MAX_MESSAGES: '5', MAX_CONNECTIONS_PER_MAILBOX: '1', APPEND_PIPELINE_DEPTH: '0', APPEND_BATCH_MESSAGES: '1', DAILY_BYTES_PER_MAILBOX: String(100 * 1048576) }),
      `Email\n${hostile}\n${orphan}\n`,
    );
    const status = (...more: string[]) => runCli(['status', '--settings', w.settingsPath, ...more]);
    const run = startCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath]);
    try {
      let view: ProgressView | undefined;
      for (let i = 0; i < 150; i++) {
        const r = await status('--json');
        expect(r.code, r.stderr).toBe(0);
        view = JSON.parse(r.stdout) as ProgressView;
        const m = view.batches[0]?.mailboxes[0];
        if (m?.state === 'running' && m.messages >= 8 && view.batches[0]!.mailboxes[1]!.state === 'failed') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const b = view!.batches[0]!;
      expect(b.status).toBe('running');
      expect(b.mailboxes.map((m) => [m.line, m.state, m.messages])).toEqual([
        [2, 'running', 8],
        [3, 'failed', 0],
      ]);
      expect(HOSTILE_FOLDERS).toContain(b.mailboxes[0]!.currentFolder);
      // A byte budget far above the mailbox: its use in this window, from the ledger, while it runs.
      expect(b.mailboxes[0]!.budget).toEqual({ usedBytes: expect.any(Number), limitBytes: 100 * 1048576, resetsAt: expect.any(String) });
      expect(b.mailboxes[0]!.budget!.usedBytes).toBeGreaterThan(0);
      expect(b.mailboxes[1]!.budget).toBeNull();
      const text = await status();
      expect(text.code, text.stderr).toBe(0);
      const lines = text.stdout.split('\n');
      expect(lines[0]).toMatch(new RegExp(`^Batch batch\\.csv-[0-9a-f]{16} \\(running\\), started `));
      expect(lines[1]).toBe('  2 mailboxes: 0 completed, 0 with issues, 1 failed, 1 running, 0 waiting; 8 messages (' + lines[1]!.split('(')[1]);
      expect(lines.find((l) => l.includes(hostile))).toMatch(/^ {7}2 {2}RUNNING +\d+ +8 +[\d.]+ KB/);
      expect(lines).toContain(`          latest folder: ${b.mailboxes[0]!.currentFolder!}`);
      expect(lines.find((l) => l.includes('byte budget:'))).toMatch(/^ {10}byte budget: [\d.]+ KB of 100\.0 MB read in this window; the next opens \d{4}-/);
      expect(lines.find((l) => l.includes(orphan))).toMatch(/^ {7}3 {2}FAILED /);
      expect(text.stdout).toMatch(/\n {10}IMAP_AUTH_FAILED: .*\n {12}fix: Check the app has FullAccess/);
    } finally {
      release();
    }
    const done = await run.done;
    expect(done.code, done.stderr).toBe(1); // one mailbox failed
    const after = await status();
    const lines = after.stdout.split('\n');
    expect(lines[0]).toMatch(/ \(finished\), started /);
    expect(lines.find((l) => l.includes(hostile))).toMatch(/^ {7}2 {2}ok +\d+ +24 +[\d.]+ KB +[\d.]+ msg\/s/);
    expect(lines.find((l) => l.startsWith('  report: '))).toBe(`  report: ${/Report: (\S+\.json)/.exec(done.stdout)![1]}`);
    // The run's HTML report says where the live view is.
    const html = readFileSync(/Report: (\S+)\.json/.exec(done.stdout)![1] + '.html', 'utf8');
    expect(html).toMatch(/Live view: run <code>mailmig status --batch batch\.csv-[0-9a-f]{16}<\/code>/);
    expect(after.stdout).not.toContain(HOSTILE_SUBJECT.slice(0, 20));
    expect(findLeaks(lab, { status: after.stdout })).toEqual([]);
    proxy.clearFaults();
  }, 240_000);
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BatchReport } from '../../../shared/contracts/report.js';
import { getLab, labSettings } from '../../lab/lab-info.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { seededPair } from '../../support/lab-mailbox.js';
import { expectSameMessages } from '../../support/expect-copy.js';
import { runCli, startCli, workDir } from '../../support/run-cli.js';
import { seedMailbox } from '../../lab/seed.js';
import { snapshotMailbox } from '../../lab/snapshot.js';

const BUDGET_BYTES = 200 * 1024;
const WINDOW_SECONDS = 3;

describe('mailmig migrate under a daily byte budget (window shortened to a few seconds)', () => {
  it('the mailbox over the budget pauses until the next window, says until when, resumes by itself and ends exact; a small mailbox of the batch is not held up', async () => {
    const lab = getLab();
    // About 540 KB: three windows of 200 KB.
    const big = await seededPair(lab, 'budgetbig', bulkCorpus(120, { folders: 2, bodyBytes: 4096, seed: 'budget-big' }));
    const small = await seededPair(lab, 'budgetsmall', bulkCorpus(10, { folders: 1, bodyBytes: 1024, seed: 'budget-small' }));
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '', RANGE_MAX_MESSAGES: '25', DAILY_BYTES_PER_MAILBOX: String(BUDGET_BYTES), BUDGET_WINDOW_SECONDS: String(WINDOW_SECONDS) }), `Email\n${big}\n${small}\n`);
    const started = Date.now();
    const r = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--concurrency', '2', '--retry-base-ms', '200', '--report', `${w.dir}/report.json`]);
    const elapsedMs = Date.now() - started;
    expect(r.code, r.stderr).toBe(0);

    // Said in the run's output, with the time it resumes (UTC, ISO 8601).
    const told = [...r.stderr.matchAll(/(\S+): paused by the daily byte budget \(DAILY_BYTES_PER_MAILBOX\) until (\d{4}-\d\d-\d\dT[\d:.]+Z); resumes by itself/g)];
    expect(told.length, r.stderr).toBeGreaterThanOrEqual(2);
    expect(told.every((m) => m[1] === big)).toBe(true);
    // The run waited for at least one window.
    expect(elapsedMs).toBeGreaterThanOrEqual(WINDOW_SECONDS * 1000);

    const report = JSON.parse(readFileSync(`${w.dir}/report.json`, 'utf8')) as BatchReport;
    const bigReport = report.mailboxes.find((m) => m.sourceEmail === big)!;
    const smallReport = report.mailboxes.find((m) => m.sourceEmail === small)!;
    expect(bigReport.state).toBe('completed');
    expect(bigReport.byteBudget).toMatchObject({ bytesPerWindow: BUDGET_BYTES, windowSeconds: WINDOW_SECONDS });
    expect(bigReport.byteBudget!.resumedAt).toEqual([...new Set(told.map((m) => m[2]!))].sort());
    // Windows follow one another: each resume at least a window after the one before.
    const resumed = bigReport.byteBudget!.resumedAt.map((t) => Date.parse(t));
    for (let i = 1; i < resumed.length; i++) expect(resumed[i]! - resumed[i - 1]!).toBeGreaterThanOrEqual(WINDOW_SECONDS * 1000);
    expect(smallReport.byteBudget?.resumedAt).toEqual([]);
    expect(Date.parse(smallReport.finishedAt)).toBeLessThan(resumed[0]!);
    expect(readFileSync(`${w.dir}/report.html`, 'utf8')).toMatch(/byte budget 200\.0 KB per 3 s: paused by it \d+ time\(s\), resumed at /);
    expect(readFileSync(`${w.dir}/report.csv`, 'utf8').split('\r\n')[0]).toMatch(/,BudgetResumedAt$/);

    // Exact, message by message, and nothing appended twice across the pauses.
    for (const a of [big, small]) await expectSameMessages(lab, a);
    console.log(`byte budget: ${told.length} pause(s) told, run took ${elapsedMs} ms (machine shared with other runs)`);
  }, 180_000);

  it('with --concurrency 1, a mailbox waiting for its next window hands its slot on: the next mailbox copies meanwhile, both end exact', async () => {
    const lab = getLab();
    // About 250 KB each: each pauses once under its own 200 KB budget.
    const pairs = [
      await seededPair(lab, 'budgetslot1', bulkCorpus(60, { folders: 1, bodyBytes: 4096, seed: 'budget-slot-1' })),
      await seededPair(lab, 'budgetslot2', bulkCorpus(60, { folders: 1, bodyBytes: 4096, seed: 'budget-slot-2' })),
    ];
    const w = workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '', RANGE_MAX_MESSAGES: '25', DAILY_BYTES_PER_MAILBOX: String(BUDGET_BYTES), BUDGET_WINDOW_SECONDS: String(WINDOW_SECONDS) }), `Email\n${pairs.join('\n')}\n`);
    const r = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--concurrency', '1', '--retry-base-ms', '200', '--report', `${w.dir}/report.json`]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(`${w.dir}/report.json`, 'utf8')) as BatchReport;
    const [first, second] = [...report.mailboxes].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    expect(first!.state).toBe('completed');
    expect(second!.state).toBe('completed');
    const resumed = first!.byteBudget!.resumedAt;
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    // The second started while the first waited for its window: before the first resumed, not after it finished.
    expect(Date.parse(second!.startedAt), JSON.stringify({ first: [first!.startedAt, first!.finishedAt, resumed], second: [second!.startedAt, second!.finishedAt, second!.byteBudget], err: r.stderr.slice(0, 3000) })).toBeLessThan(Date.parse(resumed[0]!));
    for (const a of pairs) await expectSameMessages(lab, a);
  }, 180_000);

  it('a second run in the same window gets no fresh budget: it pauses at once; a run after the window ends goes on at the exact UID, nothing twice', async () => {
    const lab = getLab();
    const address = await seededPair(lab, 'budgetagain', bulkCorpus(15, { folders: 1, bodyBytes: 4096, seed: 'budget-again-1' }));
    // One ledger (STATE_DIR) for the three runs; a window of an hour for the first two.
    const state = mkdtempSync(join(tmpdir(), 'budget-state-'));
    const settings = (windowSeconds: number) => workDir(labSettings(lab, { STORAGE_CONNECTION_STRING: '', STATE_DIR: state, DAILY_BYTES_PER_MAILBOX: String(100 * 1024), BUDGET_WINDOW_SECONDS: String(windowSeconds) }), `Email\n${address}\n`);
    const args = (w: ReturnType<typeof workDir>) => ['migrate', '--csv', w.csvPath, '--settings', w.settingsPath, '--retry-base-ms', '200', '--report', `${w.dir}/report.json`];
    const atDestination = async (): Promise<number> => Object.values((await snapshotMailbox(lab, 'destination', address)).folders).reduce((n, f) => n + f.messages.length, 0);

    // About 66 KB of the 100 KB: no pause.
    const first = settings(3600);
    const windowOpened = Date.now();
    const one = await runCli(args(first));
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).not.toContain('paused by the daily byte budget');

    // 66 KB more, in the same window: the run stops before the message that would go over, and waits the window out.
    await seedMailbox(lab, 'source', address, bulkCorpus(15, { folders: 1, bodyBytes: 4096, seed: 'budget-again-2' }));
    const second = startCli(args(settings(3600)));
    let stderr = '';
    second.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const until = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /paused by the daily byte budget \(DAILY_BYTES_PER_MAILBOX\) until (\S+Z);/.exec(stderr);
        if (m) {
          clearInterval(timer);
          resolve(m[1]!);
        }
      }, 50);
      void second.done.then((r) => {
        clearInterval(timer);
        reject(new Error(`the second run ended without pausing: ${r.stderr}`));
      });
    });
    second.child.kill('SIGTERM');
    await second.done.catch(() => undefined);
    // The first run's window, not a fresh one: it ends an hour after the first run began copying.
    expect(Date.parse(until) - windowOpened).toBeGreaterThan(3500_000);
    const copied = await atDestination();
    expect(copied).toBeGreaterThan(15);
    expect(copied).toBeLessThan(30);

    // The window over (here: a shorter one), the rest is copied from the exact UID it stopped at.
    const three = await runCli(args(settings(1)));
    expect(three.code, three.stderr).toBe(0);
    await expectSameMessages(lab, address);
  }, 180_000);
});

import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityInput } from '../../shared/contracts/activities.js';
import type { FolderOutcome } from '../../shared/contracts/orchestration.js';
import type { BatchReport } from '../../shared/contracts/report.js';
import { ORCHESTRATORS } from '../../shared/contracts/functions.js';
import { startHandler } from '../../functions/lib/http-handlers.js';
import { reportPaths } from '../../shared/engine/batch-ids.js';
import type { Activities } from '../../functions/activities/handlers.js';
import type { BudgetPauseStatus } from '../../functions/orchestrators/migrateFolder.js';
import { bulkCorpus } from '../lab/corpus.js';
import { getLab, type LabInfo } from '../lab/lab-info.js';
import { seededPair } from '../support/lab-mailbox.js';
import { expectSameMessages } from '../support/expect-copy.js';
import { appUnderTest, descendants, type AppUnderTest } from '../support/durable-app/app-under-test.js';

const BUDGET_BYTES = 150 * 1024;
const WINDOW_SECONDS = 2;

/**
 * The replay host's time is virtual: a durable timer fires as soon as nothing else can run. The
 * real host fires it at its time on the wall clock, which the activity's budget reads: so here a
 * folder's next copy waits, in real time, for the time its timer was set to.
 */
function wallClockTimers(a: Activities): Activities {
  const resumeAt = new Map<string, number>();
  return {
    ...a,
    copyMessageRange: async (input: ActivityInput<'copyMessageRange'>) => {
      const key = `${input.ref.mailbox}\n${input.ref.sourcePath}`;
      const wait = (resumeAt.get(key) ?? 0) - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const r = await a.copyMessageRange(input);
      if (r.status === 'ok' && r.value.status === 'budget-paused') resumeAt.set(key, Date.parse(r.value.resumesAt));
      return r;
    },
  };
}

let lab: LabInfo;
let app: AppUnderTest;

describe('Durable app under a daily byte budget (window shortened to seconds)', () => {
  beforeAll(() => {
    lab = getLab();
    app = appUnderTest({ DAILY_BYTES_PER_MAILBOX: String(BUDGET_BYTES), BUDGET_WINDOW_SECONDS: String(WINDOW_SECONDS), RANGE_MAX_MESSAGES: '20' }, wallClockTimers);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a folder that reaches the budget waits on a durable timer until the window ends, says so in its status, resumes at the exact UID and the copy ends exact', async () => {
    // About 400 KB in one folder: three windows of 150 KB.
    const address = await seededPair(lab, 'app-budget', bulkCorpus(90, { folders: 1, bodyBytes: 4096, seed: 'app-budget' }));
    const post = new HttpRequest({ method: 'POST', url: 'http://localhost/api/migrations?cutover=immediate', headers: { 'content-type': 'application/json' }, body: { string: JSON.stringify({ mailboxes: [{ email: address }] }) } });
    const started = await startHandler(app.deps)(post, new InvocationContext({ logHandler: () => undefined }));
    expect(started.status, JSON.stringify(started.jsonBody)).toBe(202);
    const id = (started.jsonBody as { id: string }).id;
    const result = await app.client.settled(id);
    expect(result.status, result.error).toBe('Completed');

    const folders = descendants(app.host, id).filter((i) => i.name === ORCHESTRATORS.migrateFolder);
    const waited = folders.filter((f) => ((f.output as FolderOutcome | null)?.budgetPauses ?? []).length > 0);
    expect(waited.length).toBe(1);
    const folder = waited[0]!;
    const pauses = (folder.output as FolderOutcome).budgetPauses!;
    expect(pauses.length).toBeGreaterThanOrEqual(2);
    // One durable timer per pause, set to the time the budget's window ends; the status said so meanwhile, and no longer does.
    expect(folder.stats.timers.filter((t) => t.purpose === 'orchestrator').map((t) => t.fireAt)).toEqual(pauses);
    const paused = (resumesAt: string): BudgetPauseStatus => ({ phase: 'paused', reason: 'daily byte budget', resumesAt });
    expect(folder.stats.customStatuses).toEqual(pauses.flatMap((t) => [paused(t), { phase: 'copying' }]));
    expect(folder.customStatus).toEqual({ phase: 'copying' });

    const report = JSON.parse((await app.blobs.get('reports', reportPaths.batchJson(id)))!.toString('utf8')) as BatchReport;
    const m = report.mailboxes[0]!;
    expect(m.state).toBe('completed');
    expect(m.verification?.result).toBe('PASS');
    expect(m.byteBudget).toEqual({ bytesPerWindow: BUDGET_BYTES, windowSeconds: WINDOW_SECONDS, resumedAt: pauses });
    await expectSameMessages(lab, address);
  }, 120_000);
});

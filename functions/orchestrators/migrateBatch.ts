import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { ACTIVITIES, ORCHESTRATORS } from '../../shared/contracts/functions.js';
import { BATCH_WIDE } from '../../shared/contracts/error-codes.js';
import { BATCH_EVENTS, type BatchInput, type BatchStatus, type BatchSummary, type MailboxInput, type MailboxSummary, type PassMode } from '../../shared/contracts/orchestration.js';
import { mailboxInstanceId } from '../../shared/contracts/instance-ids.js';
import { callActivity } from './call-activity.js';
import { transientRetry } from './retry-options.js';

const EMPTY_SUMMARY: BatchSummary = { done: 0, completed: 0, withIssues: 0, failed: 0, copied: 0, copiedBytes: 0 };

/**
 * A staged batch. Each pass pages through the CSV blob (the list is never in an input, output or
 * status), starts one migrateMailbox per row in waves, keeps only counts, and continues as new
 * after every page so history stays bounded for 50,000 rows. After a 'copy' pass the batch waits
 * for a delta (HTTP or the durable timer of DELTA_INTERVAL_MINUTES) or the cut-over; the 'final'
 * pass also carries flags and verifies, then the batch closes.
 */
export const migrateBatch: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<BatchInput>();
  const summary = { ...input.summary };
  const status = (phase: BatchStatus['phase']): void => context.df.setCustomStatus({ phase, pass: input.pass, mode: input.mode, total: input.totalRows, summary } satisfies BatchStatus);
  status('running');

  if (input.cursor < input.totalRows) {
    const page = yield* callActivity(context, ACTIVITIES.readBatchPage, { csv: input.csv, offset: input.cursor, count: input.limits.pageSize }, transientRetry());
    if (page.status !== 'ok') throw new Error(`batch CSV cannot be read: ${page.code}`);
    const rows = page.value;
    for (let i = 0; i < rows.length; i += input.limits.mailboxWave) {
      const wave = rows.slice(i, i + input.limits.mailboxWave).map((row) =>
        context.df.callSubOrchestrator(ORCHESTRATORS.migrateMailbox, { batchId: input.batchId, row, folderWave: input.limits.folderWave, ...(input.limits.messagesPerFolderWorker ? { messagesPerFolderWorker: input.limits.messagesPerFolderWorker } : {}), final: input.mode === 'final', authPropagationWindowMs: input.limits.authPropagationWindowMs ?? 0 } satisfies MailboxInput, mailboxInstanceId(input.batchId, input.pass, row.line)),
      );
      const results: MailboxSummary[] = yield context.df.Task.all(wave);
      for (const r of results) {
        summary.done += 1;
        summary.copied += r.copied;
        summary.copiedBytes += r.copiedBytes;
        if (r.state === 'completed') summary.completed += 1;
        else if (r.state === 'completed-with-issues') summary.withIssues += 1;
        else summary.failed += 1;
      }
      status('running');
      // A cause every mailbox shares: the next waves would fail the same way. The pass ends here
      // (report written); a delta or the cut-over, once the setting is fixed, runs every row again.
      const shared = results.find((r) => r.error !== undefined && BATCH_WIDE.includes(r.error));
      if (shared) {
        summary.stopped = shared.error;
        status('running');
        break;
      }
    }
    const cursor = input.cursor + Math.max(rows.length, 1);
    if (cursor < input.totalRows && rows.length > 0 && !summary.stopped) {
      context.df.continueAsNew({ ...input, cursor, summary } satisfies BatchInput);
      return undefined;
    }
  }
  status('reporting');
  const r = yield* callActivity(context, ACTIVITIES.writeBatchReport, { batchId: input.batchId, startedAt: input.startedAt, pass: input.pass, final: input.mode === 'final' }, transientRetry());
  const report = r.status === 'ok' ? r.value.path : undefined;
  if (input.mode === 'final') {
    status('closed');
    return { pass: input.pass, summary, report, closedAt: context.df.currentUtcDateTime.toISOString() };
  }

  // Between passes: fresh tasks each time (re-yielding an in-flight task in Task.any re-schedules it).
  status('waiting');
  const delta = context.df.waitForExternalEvent(BATCH_EVENTS.delta);
  const cutover = context.df.waitForExternalEvent(BATCH_EVENTS.cutover);
  const timer = input.deltaIntervalMinutes > 0 ? context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + input.deltaIntervalMinutes * 60_000)) : undefined;
  const winner: df.Task = yield context.df.Task.any(timer ? [delta, cutover, timer] : [delta, cutover]);
  if (timer && winner !== timer) timer.cancel();
  const mode: PassMode = winner === cutover ? 'final' : 'copy';
  context.df.continueAsNew({ ...input, pass: input.pass + 1, mode, cursor: 0, summary: { ...EMPTY_SUMMARY }, startedAt: context.df.currentUtcDateTime.toISOString() } satisfies BatchInput);
  return undefined;
};

df.app.orchestration(ORCHESTRATORS.migrateBatch, migrateBatch);

import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { ActivityResult } from '../../shared/contracts/activity-result.js';
import { ACTIVITIES, ORCHESTRATORS } from '../../shared/contracts/functions.js';
import type { MailboxRow } from '../../shared/contracts/mailbox.js';
import type { BatchInput, BatchStatus, MailboxInput, MailboxSummary } from '../../shared/contracts/orchestration.js';
import { transientRetry } from './retry-options.js';

/**
 * A batch: pages through the CSV blob (the list is never in an input, output or status),
 * starts one migrateMailbox sub-orchestration per row in waves, keeps only counts, and
 * continues as new after every page so its history stays bounded for 50,000 rows.
 */
export const migrateBatch: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<BatchInput>();
  const summary = { ...input.summary };
  const status = (phase: BatchStatus['phase']): void => context.df.setCustomStatus({ phase, total: input.totalRows, summary } satisfies BatchStatus);
  status('running');

  if (input.cursor < input.totalRows) {
    const page: ActivityResult<MailboxRow[]> = yield context.df.callActivityWithRetry(ACTIVITIES.readBatchPage, transientRetry(), { csv: input.csv, offset: input.cursor, count: input.limits.pageSize });
    if (page.status !== 'ok') throw new Error(`batch CSV cannot be read: ${page.code}`);
    const rows = page.value;
    for (let i = 0; i < rows.length; i += input.limits.mailboxWave) {
      const wave = rows.slice(i, i + input.limits.mailboxWave).map((row) =>
        context.df.callSubOrchestrator(ORCHESTRATORS.migrateMailbox, { batchId: input.batchId, row, folderWave: input.limits.folderWave } satisfies MailboxInput, `${input.batchId}:m${row.line}`),
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
    }
    const cursor = input.cursor + Math.max(rows.length, 1);
    if (cursor < input.totalRows && rows.length > 0) {
      context.df.continueAsNew({ ...input, cursor, summary } satisfies BatchInput);
      return undefined;
    }
  }
  status('reporting');
  const r: ActivityResult<{ path: string }> = yield context.df.callActivityWithRetry(ACTIVITIES.writeBatchReport, transientRetry(), { batchId: input.batchId, startedAt: input.startedAt });
  status('done');
  return { summary, report: r.status === 'ok' ? r.value.path : undefined };
};

df.app.orchestration(ORCHESTRATORS.migrateBatch, migrateBatch);

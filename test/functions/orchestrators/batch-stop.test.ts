import { describe, expect, it } from 'vitest';
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { ACTIVITIES, ORCHESTRATORS } from '../../../shared/contracts/functions.js';
import type { BatchInput, MailboxInput, MailboxSummary } from '../../../shared/contracts/orchestration.js';
import { migrateBatch } from '../../../functions/orchestrators/migrateBatch.js';
import { ReplayHost } from '../../support/durable-harness/index.js';

const ok = <T>(value: T) => ({ status: 'ok' as const, value });

/** A batch of `rows` rows in waves of 4, pages of 8, each mailbox answering `error` (or completing). */
async function runBatchOf(rows: number, error: string | undefined) {
  // A Set: a generator runs again on each replay.
  const started = new Set<number>();
  const mailbox = function* (context: OrchestrationContext): Generator<df.Task, MailboxSummary, unknown> {
    const input = context.df.getInput<MailboxInput>();
    started.add(input.row.line);
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1));
    return { line: input.row.line, state: error ? 'failed' : 'completed', copied: 0, copiedBytes: 0, skipped: 0, failed: 0, ...(error ? { error } : {}) };
  };
  const all = Array.from({ length: rows }, (_, i) => ({ line: i + 2, sourceEmail: `u${i}@contoso.example`, destinationEmail: `u${i}@contoso.example` }));
  let reports = 0;
  const host = new ReplayHost({
    orchestrators: { migrateBatch, migrateMailbox: mailbox },
    activities: {
      [ACTIVITIES.readBatchPage]: (input: { offset: number; count: number }) => ok(all.slice(input.offset, input.offset + input.count)),
      [ACTIVITIES.writeBatchReport]: () => {
        reports += 1;
        return ok({ path: 'reports/b.json' });
      },
    },
    replayCheck: false,
  });
  const input: BatchInput = {
    batchId: 'b-stop', pass: 1, mode: 'final', deltaIntervalMinutes: 0, csv: { container: 'migrations', blobName: 'incoming/b.csv' }, totalRows: rows,
    limits: { pageSize: 8, mailboxWave: 4, folderWave: 2, authPropagationWindowMs: 0 }, cursor: 0, startedAt: '2024-01-01T00:00:00Z',
    summary: { done: 0, completed: 0, withIssues: 0, failed: 0, copied: 0, copiedBytes: 0 },
  };
  const r = await host.run(ORCHESTRATORS.migrateBatch, input, { instanceId: 'b-stop' });
  return { r, started: [...started].sort((a, b) => a - b), reports };
}

describe('migrateBatch: a cause every mailbox shares', () => {
  it('a wrong client secret (TOKEN_INVALID_CLIENT) in the first wave ends the pass there: no further wave or page, the report written, the cause in the status', async () => {
    const { r, started, reports } = await runBatchOf(40, 'TOKEN_INVALID_CLIENT');
    expect(r.status, r.error).toBe('Completed');
    expect(started).toEqual([2, 3, 4, 5]);
    expect(reports).toBe(1);
    expect(r.customStatus).toMatchObject({ phase: 'closed', summary: { done: 4, failed: 4, stopped: 'TOKEN_INVALID_CLIENT' } });
  });

  it('a failure of one mailbox alone (IMAP_AUTH_FAILED) does not stop the batch', async () => {
    const { r, started } = await runBatchOf(20, 'IMAP_AUTH_FAILED');
    expect(r.status, r.error).toBe('Completed');
    expect(started).toHaveLength(20);
    expect((r.customStatus as { summary: { stopped?: string } }).summary.stopped).toBeUndefined();
  });
});

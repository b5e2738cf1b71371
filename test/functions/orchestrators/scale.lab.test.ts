import { describe, expect, it } from 'vitest';
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { ACTIVITIES, ORCHESTRATORS } from '../../../shared/contracts/functions.js';
import type { BatchInput, MailboxInput, MailboxSummary } from '../../../shared/contracts/orchestration.js';
import type { FolderPassStart, FolderPlanPage } from '../../../shared/contracts/engine-types.js';
import { migrateBatch } from '../../../functions/orchestrators/migrateBatch.js';
import { migrateMailbox } from '../../../functions/orchestrators/migrateMailbox.js';
import { migrateFolder } from '../../../functions/orchestrators/migrateFolder.js';
import { migrateFolderLane } from '../../../functions/orchestrators/migrateFolderLane.js';
import { createActivities } from '../../../functions/activities/handlers.js';
import { batchLimits } from '../../../functions/lib/start-batch.js';
import { BlobStore } from '../../../shared/adapters/blob/blob-store.js';
import { loadSettings } from '../../../shared/config/settings.js';
import { getLab, labSettings } from '../../lab/lab-info.js';
import { ReplayHost } from '../../support/durable-harness/index.js';
import type { EngineDeps } from '../../../shared/engine/engine-deps.js';
import type { PairLeases } from '../../../shared/domain/leases/batch-lease.js';

const ok = <T>(value: T) => ({ status: 'ok' as const, value });

/**
 * Activities that behave like a mailbox of one folder holding `messages` messages, so the
 * history the REAL orchestrators write can be measured for any size without copying anything.
 */
function simulatedMailbox(messages: number, rangeSize: number) {
  return {
    [ACTIVITIES.prepareMailboxFolders]: () => ok({ folders: [{ sourcePath: 'INBOX', destinationPath: 'INBOX' }], skipped: [], renamed: [] }),
    [ACTIVITIES.beginFolderPass]: (): ReturnType<typeof ok<FolderPassStart>> => ok({ unchanged: false, status: { messages, uidNext: messages + 1, uidValidity: '1' }, afterUid: 0 }),
    [ACTIVITIES.planFolderRanges]: (input: { afterUid: number }): ReturnType<typeof ok<FolderPlanPage>> => {
      const ranges = [];
      let from = input.afterUid + 1;
      while (from <= messages && ranges.length < 50) {
        const to = Math.min(messages, from + rangeSize - 1);
        ranges.push({ fromUid: from, toUid: to, count: to - from + 1, bytes: (to - from + 1) * 4096 });
        from = to + 1;
      }
      return ok({ uidValidity: '1', uidNext: messages + 1, messages, ranges, complete: from > messages });
    },
    [ACTIVITIES.copyMessageRange]: (input: { range: { fromUid: number; toUid: number } }) => ok({ status: 'copied', copied: input.range.toUid - input.range.fromUid + 1, copiedBytes: 0, alreadyPresent: 0, skipped: 0, failed: 0, vanished: 0, lastUid: input.range.toUid }),
    [ACTIVITIES.finishFolderPass]: () => ok({ state: 'copied' }),
    [ACTIVITIES.writeMailboxReport]: (input: { row: { line: number } }) => ok({ line: input.row.line, state: 'completed', copied: messages, copiedBytes: 0, skipped: 0, failed: 0 }),
  };
}

async function historyFor(messages: number, rangeSize: number) {
  const host = new ReplayHost({ orchestrators: { migrateMailbox, migrateFolder, migrateFolderLane }, activities: simulatedMailbox(messages, rangeSize) });
  const t0 = performance.now();
  const r = await host.run(ORCHESTRATORS.migrateMailbox, { batchId: 'b', row: { line: 2, sourceEmail: 'a@x.com', destinationEmail: 'a@x.com' }, folderWave: 3, final: false } satisfies MailboxInput, { instanceId: 'b:m2' });
  const ms = performance.now() - t0;
  const folder = host.instance('b:m2:f0')!;
  return { r, folder, ms };
}

describe('orchestration size stays bounded', () => {
  it('history per instance for a 20,000-message mailbox is bounded and does not grow with the message count', async () => {
    const small = await historyFor(20_000, 100);
    const large = await historyFor(200_000, 100);
    expect(small.r.status).toBe('Completed');
    expect(small.r.output).toMatchObject({ state: 'completed' });
    // 200 ranges -> 4 continueAsNew generations; 2,000 ranges -> 40: same bound per generation.
    expect(small.folder.stats.continueAsNewCount).toBe(3);
    expect(large.folder.stats.continueAsNewCount).toBe(39);
    expect(small.folder.stats.historyEventsMax).toBeLessThan(250);
    expect(large.folder.stats.historyEventsMax).toBe(small.folder.stats.historyEventsMax);
    console.log(`[measure] 20,000 messages / ranges of 100: migrateFolder history max ${small.folder.stats.historyEventsMax} events per generation, ${small.folder.stats.generations} generations, replay ${small.folder.stats.replayMs.toFixed(0)} ms; migrateMailbox history max ${small.r.stats.historyEventsMax}; 200,000 messages: max ${large.folder.stats.historyEventsMax}, ${large.folder.stats.generations} generations, replay ${large.folder.stats.replayMs.toFixed(0)} ms`);
  });

  it('a 50,000-row CSV starts and pages through its mailboxes; no input, output or custom status holds the list', async () => {
    const lab = getLab();
    const env = labSettings(lab);
    const settings = loadSettings(env);
    const blobs = BlobStore.fromSettings(settings, env);
    const rows = Array.from({ length: 50_000 }, (_, i) => `user${i}@contoso.example`);
    const csv = Buffer.from(`Email\n${rows.join('\n')}\n`);
    await blobs.put('migrations', 'incoming/fifty-thousand.csv', csv, 'text/csv');
    // Real readBatchPage against Azurite; each mailbox orchestration is replaced by a trivial one (no IMAP).
    const real = createActivities({ engine: {} as EngineDeps, blobs, reportsContainer: 'reports', leases: {} as PairLeases });
    const seen = new Set<number>();
    const trivialMailbox = function* (context: OrchestrationContext): Generator<df.Task, MailboxSummary, unknown> {
      const input = context.df.getInput<MailboxInput>();
      seen.add(input.row.line);
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1));
      return { line: input.row.line, state: 'completed', copied: 1, copiedBytes: 10, skipped: 0, failed: 0 };
    };
    const host = new ReplayHost({
      orchestrators: { migrateBatch, migrateMailbox: trivialMailbox },
      activities: { [ACTIVITIES.readBatchPage]: real.readBatchPage, [ACTIVITIES.writeBatchReport]: () => ok({ path: 'x' }) },
      replayCheck: false,
    });
    const input: BatchInput = {
      batchId: 'b-50k', pass: 1, mode: 'final', deltaIntervalMinutes: 0, csv: { container: 'migrations', blobName: 'incoming/fifty-thousand.csv' }, totalRows: rows.length,
      limits: batchLimits(loadSettings({ ...env, MAX_CONCURRENT_MAILBOXES: '500' })), cursor: 0, startedAt: '2024-01-01T00:00:00Z',
      summary: { done: 0, completed: 0, withIssues: 0, failed: 0, copied: 0, copiedBytes: 0 },
    };
    const r = await host.run(ORCHESTRATORS.migrateBatch, input, { instanceId: 'b-50k' });
    expect(r.status, r.error).toBe('Completed');
    expect(seen.size).toBe(50_000);
    expect(r.customStatus).toMatchObject({ phase: 'closed', total: 50_000, summary: { done: 50_000, completed: 50_000 } });
    const s = r.stats;
    // The CSV is ~1 MB; no orchestration payload comes near it (Durable keeps payloads over ~45 KB in blobs).
    expect(s.maxInputBytes).toBeLessThan(2_000);
    expect(s.maxCustomStatusBytes).toBeLessThan(500);
    expect(s.maxOutputBytes).toBeLessThan(500);
    const pageOutputs = s.activityCalls.filter((c) => c.name === ACTIVITIES.readBatchPage).map((c) => c.outputBytes ?? 0);
    expect(Math.max(...pageOutputs)).toBeLessThan(45_000);
    expect(s.historyEventsMax).toBeLessThan(2_000);
    console.log(`[measure] 50,000 rows: ${s.generations} generations, history max ${s.historyEventsMax} events, max input ${s.maxInputBytes} B, custom status ${s.maxCustomStatusBytes} B, output ${s.maxOutputBytes} B, largest page ${Math.max(...pageOutputs)} B, replay ${s.replayMs.toFixed(0)} ms`);
  }, 300_000);
});

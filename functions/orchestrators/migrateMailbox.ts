import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { ActivityResult } from '../../shared/contracts/activity-result.js';
import type { FolderPassStart, PreparedFolders } from '../../shared/contracts/engine-types.js';
import { ACTIVITIES, ORCHESTRATORS } from '../../shared/contracts/functions.js';
import type { FolderOutcome, MailboxInput, MailboxSummary } from '../../shared/contracts/orchestration.js';
import { mailboxPair } from '../../shared/contracts/mailbox-pair.js';
import type { PairLeaseClaim } from '../../shared/contracts/pair-lease.js';
import { callActivity, callAfterWaits, type ActivityCall } from './call-activity.js';
import { transientRetry } from './retry-options.js';
import { MAX_THROTTLE_WAITS } from '../../shared/contracts/retry-policy.js';
import { MAILBOX_FATAL } from '../../shared/contracts/error-codes.js';
import { AUTH_REFUSAL_CODES, propagationDelayMs } from '../../shared/domain/retry/auth-propagation.js';
import { assignLanes } from '../../shared/domain/scheduling/folder-lanes.js';
import { DEFAULT_MESSAGES_PER_FOLDER_WORKER, folderWorkers, pendingMessages } from '../../shared/domain/scheduling/folder-workers.js';
import type { FolderLaneInput } from './migrateFolderLane.js';


/**
 * One mailbox: list and map folders, create what is missing (with each folder's STATUS), then
 * its folders in lanes (migrateFolderLane sub-orchestrations side by side, each folder a
 * migrateFolder with a deterministic id), then write the mailbox report to Blob Storage and
 * return a small summary.
 */
export const migrateMailbox: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<MailboxInput>();
  const { row } = input;
  const startedAt = context.df.currentUtcDateTime.toISOString();
  // This pass holds the pair's lease from prepare (which takes it) to the report (which releases
  // it, whatever the outcome): a second batch on the same pair is refused, never run beside it.
  const lease: PairLeaseClaim = { batchId: input.batchId, instanceId: context.df.instanceId };
  type ReportArgs = { prepared?: PreparedFolders; folders: FolderOutcome[]; error?: { code: string; message: string } };
  const writeReport = (args: ReportArgs): ActivityCall<'writeMailboxReport'> =>
    callActivity(context, ACTIVITIES.writeMailboxReport, {
      batchId: input.batchId,
      row,
      startedAt,
      final: input.final,
      lease,
      folders: args.folders,
      ...(args.prepared ? { prepared: { skipped: args.prepared.skipped, renamed: args.prepared.renamed, ...(args.prepared.excluded ? { excluded: args.prepared.excluded } : {}), ...(args.prepared.sourceGone ? { sourceGone: args.prepared.sourceGone } : {}) } } : {}),
      ...(args.error ? { error: args.error } : {}),
    }, transientRetry());
  // The cut-over verifies in that activity: a throttling answer is waited out on a durable timer, as the copy's are.
  let reportThrottles = 0;
  const report = (args: ReportArgs) =>
    callAfterWaits(context, () => writeReport(args), (r) => (r.status === 'throttled' && reportThrottles++ < MAX_THROTTLE_WAITS ? r.retryAfterMs : undefined));

  // Throttling waits the suggested time; login refusals right after setup wait for permissions to
  // propagate (AUTH_PROPAGATION_WINDOW_MINUTES) — both on durable timers, never inside an activity.
  const firstTry = context.df.currentUtcDateTime.getTime();
  let refusals = 0;
  let throttles = 0;
  const prepared = yield* callAfterWaits(
    context,
    function* (): ActivityCall<'prepareMailboxFolders'> {
      try {
        return yield* callActivity(context, ACTIVITIES.prepareMailboxFolders, { sourceEmail: row.sourceEmail, destinationEmail: row.destinationEmail, ...(row.controls ? { controls: row.controls } : {}), lease }, transientRetry());
      } catch (e) {
        return { status: 'permanent', code: 'RETRIES_EXHAUSTED', detail: e instanceof Error ? e.message : String(e) };
      }
    },
    (r) => {
      if (r.status === 'throttled' && throttles < MAX_THROTTLE_WAITS) {
        throttles += 1;
        return r.retryAfterMs;
      }
      if (r.status !== 'permanent' || !AUTH_REFUSAL_CODES.has(r.code)) return undefined;
      refusals += 1;
      return propagationDelayMs(refusals, context.df.currentUtcDateTime.getTime() - firstTry, { windowMs: input.authPropagationWindowMs ?? 0 });
    },
  );
  let summary: ActivityResult<MailboxSummary>;
  if (prepared.status !== 'ok') {
    const error = { code: prepared.code, message: prepared.status === 'permanent' ? prepared.detail : 'throttled' };
    summary = yield* report({ folders: [], error });
  } else {
    const tasks = prepared.value.folders;
    // As many lanes as the mailbox's size calls for (one per MESSAGES_PER_FOLDER_WORKER messages
    // to copy, up to MAX_CONNECTIONS_PER_MAILBOX), the largest folders spread first: a large
    // INBOX holds up one lane, not the mailbox's other folders.
    const perWorker = input.messagesPerFolderWorker ?? DEFAULT_MESSAGES_PER_FOLDER_WORKER;
    const starts = new Map<string, FolderPassStart>();
    for (const t of tasks) if (t.start) starts.set(t.sourcePath, t.start);
    const width = folderWorkers(starts, tasks.length, input.folderWave, perWorker);
    const lanes = assignLanes(tasks.map((t) => pendingMessages(t.start, perWorker)), width);
    const mailbox = mailboxPair(row).key;
    const children = lanes.map((lane, k) =>
      context.df.callSubOrchestrator(
        ORCHESTRATORS.migrateFolderLane,
        { mailboxInstance: context.df.instanceId, mailbox, sourceEmail: row.sourceEmail, destinationEmail: row.destinationEmail, ...(row.controls ? { controls: row.controls } : {}), folders: lane.map((i) => ({ index: i, task: tasks[i]! })), lease, syncFlags: input.final } satisfies FolderLaneInput,
        `${context.df.instanceId}:l${k}`,
      ),
    );
    const results: FolderOutcome[][] = children.length > 0 ? yield context.df.Task.all(children) : [];
    // Back in the mailbox's folder order.
    const byIndex = new Map<number, FolderOutcome>();
    lanes.forEach((lane, k) => lane.forEach((i, j) => byIndex.set(i, results[k]![j]!)));
    const outcomes = tasks.map((_, i) => byIndex.get(i)!);
    const fatal = outcomes.find((r) => r.error && MAILBOX_FATAL.includes(r.error.code))?.error;
    summary = yield* report({ prepared: prepared.value, folders: outcomes, ...(fatal ? { error: fatal } : {}) });
  }
  if (summary.status !== 'ok') return { line: row.line, state: 'failed', copied: 0, copiedBytes: 0, skipped: 0, failed: 0, error: summary.code } satisfies MailboxSummary;
  return summary.value;
};

df.app.orchestration(ORCHESTRATORS.migrateMailbox, migrateMailbox);

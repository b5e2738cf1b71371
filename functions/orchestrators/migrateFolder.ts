import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { ActivityInput, ActivityName } from '../../shared/contracts/activities.js';
import type { FolderPassStart, FolderRef } from '../../shared/contracts/engine-types.js';
import { ACTIVITIES, ORCHESTRATORS } from '../../shared/contracts/functions.js';
import type { FolderOutcome } from '../../shared/contracts/orchestration.js';
import type { PairLeaseClaim } from '../../shared/contracts/pair-lease.js';
import { MAX_THROTTLE_WAITS } from '../../shared/contracts/retry-policy.js';
import { callActivity, callAfterWaits, type ActivityCall } from './call-activity.js';
import { transientRetry } from './retry-options.js';

export interface MigrateFolderInput {
  ref: FolderRef;
  /** The mailbox pass's claim on the pair's lease, renewed by each activity. */
  lease: PairLeaseClaim;
  start?: FolderPassStart;
  afterUid: number;
  copiedThisPass: number;
  throttleWaits: number;
  /** Cut-over: carry flag changes of already-copied messages after copying. */
  syncFlags: boolean;
  /** When this pass resumed after each wait for the mailbox's next byte-budget window (carried across continueAsNew). */
  budgetPauses?: string[];
}

/** The folder orchestration's custom status while it waits for the mailbox's next byte-budget window, and once it copies again. */
export type BudgetPauseStatus = { phase: 'paused'; reason: 'daily byte budget'; resumesAt: string } | { phase: 'copying' };

/**
 * One folder, one pass: begin (one STATUS) → a page of ranges → copy them one by one (a folder
 * is appended to in UID order; parallelism is across folders and mailboxes) → continueAsNew per
 * page, so history stays bounded whatever the folder's size → finish.
 * Throttling waits on a durable timer for the server's suggested time.
 */
export const migrateFolder: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<MigrateFolderInput>();
  const { ref, lease } = input;
  const allMail = ref.archivedOnly ? { archivedOnly: true as const } : {};
  const failed = (code: string, message: string): FolderOutcome => ({ sourcePath: ref.sourcePath, destinationPath: ref.destinationPath, state: 'failed', copiedThisPass: input.copiedThisPass, ...allMail, error: { code, message } });
  let waits = input.throttleWaits;
  const budgetPauses = [...(input.budgetPauses ?? [])];
  const carried = (): { budgetPauses?: string[] } => (budgetPauses.length > 0 ? { budgetPauses } : {});

  // Calls an activity until it is neither throttled nor failed transiently (RetryOptions handle those).
  function* call<K extends ActivityName>(name: K, args: ActivityInput<K>): ActivityCall<K> {
    const r = yield* callAfterWaits(context, () => callActivity(context, name, args, transientRetry()), (r) => {
      if (r.status !== 'throttled') return undefined;
      waits += 1;
      return waits > MAX_THROTTLE_WAITS ? undefined : r.retryAfterMs;
    });
    return r.status === 'throttled' ? { status: 'permanent', code: r.code, detail: `still throttled after ${MAX_THROTTLE_WAITS} waits` } : r;
  }

  try {
    let start = input.start;
    if (!start) {
      const b = yield* call(ACTIVITIES.beginFolderPass, { ref, lease });
      if (b.status !== 'ok') return failed(b.code, b.status === 'permanent' ? b.detail : '');
      start = b.value;
    }
    let copied = input.copiedThisPass;
    if (!start.unchanged && start.status.messages > 0) {
      // An empty folder has nothing to plan. A delta plans from what the checkpoint has copied, not from UID 1: otherwise every range
      // of a large folder would be planned and called again only to find nothing to do.
      let afterUid = Math.max(input.afterUid, start.afterUid);
      // The first page of a pass plans from the STATUS it began with: a small folder in one round trip.
      const p = yield* call(ACTIVITIES.planFolderRanges, { ref, lease, afterUid, ...(afterUid === start.afterUid ? { expect: start.status } : {}) });
      if (p.status !== 'ok') return failed(p.code, p.status === 'permanent' ? p.detail : '');
      for (const range of p.value.ranges) {
        for (;;) {
          const c = yield* call(ACTIVITIES.copyMessageRange, { ref, lease, range });
          if (c.status !== 'ok') return failed(c.code, c.status === 'permanent' ? c.detail : '');
          if (c.value.status === 'uidvalidity-changed') {
            context.df.continueAsNew({ ref, lease, afterUid: 0, copiedThisPass: copied, throttleWaits: waits, syncFlags: input.syncFlags, ...carried() } satisfies MigrateFolderInput);
            return undefined;
          }
          copied += c.value.copied;
          if (c.value.status === 'copied') break;
          // The mailbox's byte budget is spent: a durable timer to the next window (no instance
          // held meanwhile), then the same range again, from the exact UID it stopped before.
          budgetPauses.push(c.value.resumesAt);
          context.df.setCustomStatus({ phase: 'paused', reason: 'daily byte budget', resumesAt: c.value.resumesAt } satisfies BudgetPauseStatus);
          yield context.df.createTimer(new Date(c.value.resumesAt));
          // Not null: the host keeps the last status it was given, and null is not one.
          context.df.setCustomStatus({ phase: 'copying' } satisfies BudgetPauseStatus);
        }
        afterUid = range.toUid;
      }
      if (!p.value.complete) {
        context.df.continueAsNew({ ref, lease, start, afterUid, copiedThisPass: copied, throttleWaits: waits, syncFlags: input.syncFlags, ...carried() } satisfies MigrateFolderInput);
        return undefined;
      }
    }
    const f = yield* call(ACTIVITIES.finishFolderPass, { ref, lease, start, copiedThisPass: copied });
    if (f.status !== 'ok') return failed(f.code, f.status === 'permanent' ? f.detail : '');
    let flagsChanged: number | undefined;
    let deleted: { deletedAtCutover?: number; deleteSkippedReason?: string } = {};
    if (input.syncFlags) {
      const s = yield* call(ACTIVITIES.syncFolderFlags, { ref, lease });
      if (s.status !== 'ok') return failed(s.code, s.status === 'permanent' ? s.detail : '');
      flagsChanged = s.value.changed;
      deleted = { ...(s.value.deleted !== undefined ? { deletedAtCutover: s.value.deleted } : {}), ...(s.value.deleteSkippedReason ? { deleteSkippedReason: s.value.deleteSkippedReason } : {}) };
    }
    return { sourcePath: ref.sourcePath, destinationPath: ref.destinationPath, state: f.value.state, copiedThisPass: copied, ...(flagsChanged !== undefined ? { flagsChanged } : {}), ...deleted, ...(f.value.repaired ? { repaired: f.value.repaired } : {}), ...allMail, ...carried() } satisfies FolderOutcome;
  } catch (e) {
    // Retries exhausted: the host hands us the flattened, already-redacted message.
    return failed('RETRIES_EXHAUSTED', e instanceof Error ? e.message : String(e));
  }
};

df.app.orchestration(ORCHESTRATORS.migrateFolder, migrateFolder);

import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { ActivityResult } from '../../shared/contracts/activity-result.js';
import type { FolderRef, PreparedFolders } from '../../shared/contracts/engine-types.js';
import { ACTIVITIES, ORCHESTRATORS } from '../../shared/contracts/functions.js';
import type { FolderOutcome, MailboxInput, MailboxSummary } from '../../shared/contracts/orchestration.js';
import { mailboxKey } from '../../shared/domain/checkpoints/checkpoint-store.js';
import { transientRetry } from './retry-options.js';
import { MAX_THROTTLE_WAITS } from '../../shared/contracts/retry-policy.js';
import type { ErrorCode } from '../../shared/contracts/error-codes.js';
import { AUTH_REFUSAL_CODES, propagationDelayMs } from '../../shared/domain/retry/auth-propagation.js';
import type { MigrateFolderInput } from './migrateFolder.js';

/** Codes after which no other folder of the mailbox can succeed either. */
const MAILBOX_FATAL = ['IMAP_AUTH_FAILED', 'IMAP_NOT_CONNECTED', 'OVER_QUOTA', 'TOKEN_INVALID_CLIENT', 'SECRET_NOT_FOUND', 'SECRET_ACCESS_DENIED'];

/**
 * One mailbox: list and map folders, create what is missing, then one migrateFolder
 * sub-orchestration per folder in waves (deterministic child ids), then write the mailbox
 * report to Blob Storage and return a small summary.
 */
export const migrateMailbox: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<MailboxInput>();
  const { row } = input;
  const startedAt = context.df.currentUtcDateTime.toISOString();
  const report = (args: { prepared?: PreparedFolders; folders: FolderOutcome[]; error?: { code: string; message: string } }) =>
    context.df.callActivityWithRetry(ACTIVITIES.writeMailboxReport, transientRetry(), {
      batchId: input.batchId,
      row,
      startedAt,
      final: input.final,
      folders: args.folders,
      ...(args.prepared ? { prepared: { skipped: args.prepared.skipped, renamed: args.prepared.renamed } } : {}),
      ...(args.error ? { error: args.error } : {}),
    });

  // Throttling waits the suggested time; login refusals right after setup wait for permissions to
  // propagate (AUTH_PROPAGATION_WINDOW_MINUTES) — both on durable timers, never inside an activity.
  let prepared: ActivityResult<PreparedFolders>;
  const firstTry = context.df.currentUtcDateTime.getTime();
  let refusals = 0;
  let throttles = 0;
  for (;;) {
    try {
      prepared = yield context.df.callActivityWithRetry(ACTIVITIES.prepareMailboxFolders, transientRetry(), { sourceEmail: row.sourceEmail, destinationEmail: row.destinationEmail });
    } catch (e) {
      prepared = { status: 'permanent', code: 'RETRIES_EXHAUSTED', detail: e instanceof Error ? e.message : String(e) };
    }
    let waitMs: number | undefined;
    if (prepared.status === 'throttled' && throttles < MAX_THROTTLE_WAITS) {
      throttles += 1;
      waitMs = prepared.retryAfterMs;
    } else if (prepared.status === 'permanent' && AUTH_REFUSAL_CODES.has(prepared.code as ErrorCode)) {
      refusals += 1;
      waitMs = propagationDelayMs(refusals, context.df.currentUtcDateTime.getTime() - firstTry, { windowMs: input.authPropagationWindowMs ?? 0 });
    }
    if (waitMs === undefined) break;
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + waitMs));
  }
  let summary: ActivityResult<MailboxSummary>;
  if (prepared.status !== 'ok') {
    const error = { code: prepared.code, message: prepared.status === 'permanent' ? prepared.detail : 'throttled' };
    summary = yield report({ folders: [], error });
  } else {
    const mailbox = mailboxKey(row.sourceEmail, row.destinationEmail);
    const tasks = prepared.value.folders;
    const outcomes: FolderOutcome[] = [];
    let fatal: { code: string; message: string } | undefined;
    for (let i = 0; i < tasks.length; i += input.folderWave) {
      const wave = tasks.slice(i, i + input.folderWave);
      if (fatal) {
        for (const t of wave) outcomes.push({ sourcePath: t.sourcePath, destinationPath: t.destinationPath, state: 'failed', copiedThisPass: 0, error: fatal });
        continue;
      }
      const children = wave.map((t, j) => {
        const ref: FolderRef = { mailbox, sourceEmail: row.sourceEmail, destinationEmail: row.destinationEmail, sourcePath: t.sourcePath, destinationPath: t.destinationPath };
        return context.df.callSubOrchestrator(ORCHESTRATORS.migrateFolder, { ref, afterUid: 0, copiedThisPass: 0, throttleWaits: 0, syncFlags: input.final } satisfies MigrateFolderInput, `${context.df.instanceId}:f${i + j}`);
      });
      const results: FolderOutcome[] = yield context.df.Task.all(children);
      outcomes.push(...results);
      fatal = results.find((r) => r.error && MAILBOX_FATAL.includes(r.error.code))?.error;
    }
    summary = yield report({ prepared: prepared.value, folders: outcomes, ...(fatal ? { error: fatal } : {}) });
  }
  if (summary.status !== 'ok') return { line: row.line, state: 'failed', copied: 0, copiedBytes: 0, skipped: 0, failed: 0, error: summary.code } satisfies MailboxSummary;
  return summary.value;
};

df.app.orchestration(ORCHESTRATORS.migrateMailbox, migrateMailbox);

import type { FolderCheckpoint } from '../domain/checkpoints/folder-checkpoint.js';
import type { FolderReport, MailboxReport } from '../contracts/report.js';
import type { MailboxPair } from '../contracts/mailbox-pair.js';
import { MigrationError } from '../errors/migration-error.js';
import { classify } from '../errors/classify.js';
import { MAILBOX_FATAL } from '../contracts/error-codes.js';
import { copyFolder } from './copy-folder.js';
import { folderRef, folderReport, type FolderPassStart } from './folder-pass.js';
import type { EngineDeps } from './engine-deps.js';
import { FAR_ROUND_TRIP_MS, folderWorkers, pendingMessages } from '../domain/scheduling/folder-workers.js';
import { prepareMailbox } from './mailbox-pass/prepare-mailbox.js';
import { finishMailboxPass } from './mailbox-pass/finish-mailbox-pass.js';
import { ThrottleGate, withRetry, type Attempt } from './retry.js';
import { summariseMailbox } from './summarise.js';
import { lookAtSource, type SourceLook } from './unchanged-mailbox.js';
import type { PreparedFolders } from '../contracts/engine-types.js';
import type { FolderStatus } from '../contracts/imap.js';
import { withAuthPropagation } from './preflight/propagation.js';
import type { SpareWorkers } from './spare-workers.js';
import type { HeldSlot } from './pass-slots.js';
import { BudgetPauses } from './budget-pauses.js';
import { SourceReads } from './source-reads.js';
import { IdleWorkers } from './idle-workers.js';
import { WorkerSlots } from './worker-slots.js';
import { reportedCaps, reportedWindow } from './pass-window.js';
import { budgetPauseLine } from '../domain/reports/describe-budget.js';

export interface MigrateMailboxOptions {
  retryBaseMs: number;
  /** The cut-over pass: copy what is new, carry flag changes, verify, then close the pair. */
  final?: boolean;
  onCopied?: (n: number, bytes: number) => void;
  onFolders?: (total: number, messages: number) => void;
  /** The mailbox's byte budget ran out: its folders wait until `resumesAt` (ISO 8601). Told once per window; unset: logged. */
  onBudgetPause?: (resumesAt: string) => void;
  /** The batch's idle slots, lent to this mailbox as extra folder workers near the batch's end. */
  spare?: SpareWorkers;
  /** The batch's pass slot this mailbox holds: handed back while it waits for its byte budget (budget-pauses.ts). */
  slot?: HeldSlot;
  /** The pass has started its last folder with anything to copy: its slot frees soon (the batch prepares the next mailbox). */
  onLastFolderStarted?: () => void;
  /** On a far server (FAR_ROUND_TRIP_MS), every folder with anything to copy has read its source (or failed): only APPENDs, records and checks remain. Told once. */
  onSourceRead?: () => void;
}

/**
 * A delta's first step on its own: one source connection, LIST and STATUS (and one destination STATUS round). When nothing changed
 * the mailbox is done here (its report); else what was seen, for the pass.
 */
export async function lookAhead(deps: EngineDeps, pair: MailboxPair): Promise<{ report?: MailboxReport; look: SourceLook }> {
  const startedAt = new Date().toISOString();
  const look = await lookAtSource(deps, pair).catch((): SourceLook => ({ statuses: new Map() }));
  if (!look.unchanged) return { look };
  return { report: summariseMailbox({ sourceEmail: pair.sourceEmail, destinationEmail: pair.destinationEmail, startedAt, folders: look.unchanged, skippedFolders: [], renamedFolders: [], ...(look.excluded ? { excludedFolders: look.excluded } : {}), ...reportedWindow(deps, pair), ...reportedCaps(deps, pair) }), look };
}

/**
 * On a far server, starts the logins of the workers after the first (which carries on with the
 * connections that prepared the mailbox), and one destination folder connection for the STATUS
 * each folder's pass ends with; `already` of them were started before. Returns how many are now.
 */
function openAhead(deps: EngineDeps, pair: MailboxPair, workers: number, already: number): number {
  const roundTripMs = Math.max(deps.pool.roundTripMs?.('source') ?? 0, deps.pool.roundTripMs?.('destination') ?? 0);
  const more = workers - 1 - already;
  if (roundTripMs < FAR_ROUND_TRIP_MS || more <= 0) return already;
  deps.pool.openAhead?.(pair, { source: more, destination: more, destinationFolders: already === 0 ? 1 : 0 });
  return already + more;
}

/** Folders that may hold mail by the source's STATUS round: all asked but those that answered empty (an unanswered one may hold some). */
function foldersWithMail(statuses: ReadonlyMap<string, FolderStatus>, asked: number): number {
  return asked - [...statuses.values()].filter((s) => s.messages === 0).length;
}

const pendingOf = (task: { start?: FolderPassStart }): number => pendingMessages(task.start, Number.MAX_SAFE_INTEGER);

/** One pass over one mailbox (first pass or delta): the CLI's unit of work. */
export async function migrateMailbox(deps: EngineDeps, pair: MailboxPair, opts: MigrateMailboxOptions): Promise<MailboxReport> {
  try {
    const final = opts.final === true;
    // A delta pass over a mailbox where nothing changed costs one source session and one destination STATUS round.
    const ahead = final ? undefined : await lookAhead(deps, pair);
    if (ahead?.report) {
      opts.onFolders?.(ahead.report.folders.length, 0);
      return ahead.report;
    }
    const ready = await prepareMailboxPass(deps, pair, opts, ahead?.look);
    return 'report' in ready ? ready.report : await copyPreparedMailbox(deps, pair, ready, opts);
  } finally {
    // Not awaited: LOGOUT round trips need not hold up the next mailbox.
    void deps.pool.closeMailbox(pair);
  }
}

/** A mailbox pass whose folders are listed, created and asked their STATUS: what copyPreparedMailbox goes on with. */
export interface PreparedPass {
  startedAt: string;
  gate: ThrottleGate;
  retry: Attempt;
  prepared: PreparedFolders;
  /** Workers' logins already started on the way (openAhead). */
  openedAhead: number;
}

/**
 * The first half of a mailbox pass, after a delta's look at the source (`look`, lookAhead) found
 * something to do: the mailbox's folders listed and mapped, created at the destination, and both
 * sides' STATUS taken (prepareMailbox); the look's STATUS answers are not asked again. The report
 * instead when the mailbox fails here. The batch runs it before the mailbox has a pass slot
 * (runBatch), so a mailbox's set-up round trips overlap the copying of the mailbox before it.
 */
export async function prepareMailboxPass(deps: EngineDeps, pair: MailboxPair, opts: MigrateMailboxOptions, look?: SourceLook): Promise<PreparedPass | { report: MailboxReport }> {
  const startedAt = new Date().toISOString();
  const gate = new ThrottleGate();
  const final = opts.final === true;
  const known = look?.statuses;
  // Said while it lasts: a refused port or an unreachable endpoint is a minute of retries per mailbox.
  const onRetry = (e: MigrationError, n: number, ms: number): void => deps.log.warn(`${pair.sourceEmail}: ${e.code}, retry ${n} in ${ms} ms: ${e.message.split(/\r?\n/)[0]!.slice(0, 200)}`);
  const retry: Attempt = (fn) => withRetry(fn, { baseDelayMs: opts.retryBaseMs, gate, onRetry });
  let openedAhead = 0;
  try {
    const prepared = await prepareMailbox(deps, pair, {
      // Right after setup Exchange refuses valid tokens until the grant propagates: keep asking for the window.
      listing: (fn) =>
        withAuthPropagation(() => retry(fn), {
          windowMs: deps.settings.authPropagationWindowMinutes * 60_000,
          onRetry: (e, n, ms) => deps.log.warn(`${pair.sourceEmail}: ${e.code} (refusal ${n}); permissions may still be propagating, next try in ${ms} ms`),
        }),
      beginning: retry,
      ...(known ? { known } : {}),
      // A first pass on a far server: the other workers' logins (three round trips each) start
      // as soon as the source's STATUS round says which folders hold mail (a worker for each, up
      // to the limit), while the destination's folders are created and asked their STATUS, rather
      // than after. Empty folders open none: a mailbox with mail in one folder logs in once per side.
      // A delta's sizes depend on its ledger too: it waits. (Opened once, whatever is tried again.)
      ...(known && known.size > 0 ? {} : { onSourceStatus: (statuses: ReadonlyMap<string, FolderStatus>, asked: number) => void (openedAhead ||= openAhead(deps, pair, Math.min(foldersWithMail(statuses, asked), deps.settings.maxConnectionsPerMailbox), 0)) }),
    });
    opts.onFolders?.(prepared.folders.length, 0);
    return { startedAt, gate, retry, prepared, openedAhead };
  } catch (e) {
    const err = classify(e, 'engine');
    return { report: await finishMailboxPass(deps, pair, { startedAt, folders: [], skippedFolders: [], renamedFolders: [], error: { code: err.code, message: err.message }, final }) };
  }
}

/** The second half of a mailbox pass: its folders copied, largest first, on as many workers as their sizes ask for; then the report. */
export async function copyPreparedMailbox(deps: EngineDeps, pair: MailboxPair, ready: PreparedPass, opts: MigrateMailboxOptions): Promise<MailboxReport> {
  const { startedAt, gate, retry, prepared, openedAhead } = ready;
  const final = opts.final === true;
  const starts = new Map<string, FolderPassStart>();
  for (const task of prepared.folders) if (task.start) starts.set(task.sourcePath, task.start);
  // The farther of the two servers sets how many folders go side by side (folder-workers.ts).
  const roundTripMs = Math.max(deps.pool.roundTripMs?.('source') ?? 0, deps.pool.roundTripMs?.('destination') ?? 0);
  const workers = folderWorkers(starts, prepared.folders.length, deps.settings.maxConnectionsPerMailbox, deps.settings.messagesPerFolderWorker, roundTripMs);
  // The first worker carries on with the connections that prepared the mailbox; the others' logins
  // start now, and one destination folder connection for the STATUS each folder's pass ends with.
  openAhead(deps, pair, workers, openedAhead);
  const limit = new WorkerSlots(workers);
  const toldPauses = new Set<string>();
  const pauses = new BudgetPauses(opts.slot);
  const onBudgetPause = (resumesAt: string): void => {
    if (toldPauses.has(resumesAt)) return;
    toldPauses.add(resumesAt);
    if (opts.onBudgetPause) opts.onBudgetPause(resumesAt);
    else deps.log.info(budgetPauseLine(pair.sourceEmail, resumesAt));
  };
  let fatal: MigrationError | undefined;
  // Largest first (by the messages each may have to copy), as the app assigns its lanes: the
  // biggest folder does not start last and finish alone. Reported in the listed order.
  const order = prepared.folders.map((_, i) => i).sort((a, b) => pendingOf(prepared.folders[b]!) - pendingOf(prepared.folders[a]!) || a - b);
  const scheduled = order.map((i) => prepared.folders[i]!);
  // Folders with nothing to copy come last and end at once: the slot frees soon once the last folder with something to copy has started.
  const lastToCopy = scheduled.reduce((last, task, k) => (pendingOf(task) > 0 ? k : last), 0);
  // On a near server a pass's last APPENDs are answered at once: nothing to hand the slot on for.
  const far = roundTripMs >= FAR_ROUND_TRIP_MS;
  const toCopy = scheduled.filter((task) => pendingOf(task) > 0).length;
  const reads = new SourceReads(toCopy, far ? opts.onSourceRead : undefined);
  // On a far server a worker with no folder left to copy lends itself to a range still running (a lane).
  const lanes = far ? new IdleWorkers(limit, toCopy) : undefined;
  const work = Promise.all(
    scheduled.map((task, k) =>
      limit.run(async (free): Promise<FolderReport> => {
        if (k >= lastToCopy) opts.onLastFolderStarted?.();
        const copies = pendingOf(task) > 0;
        const ended = copies ? lanes?.started() : undefined;
        const folderRead = copies ? reads.folder() : undefined;
        // On a far server a folder frees its worker before it ends: a small one once its bodies have
        // all arrived, so that the next folder plans and asks for its first bodies during this one's
        // last APPEND answers and closing STATUS (it takes the source connection this one gave back,
        // and waits for its APPEND one); a larger one once its APPENDs are answered (hand-over.ts).
        const freeWorker = copies && far ? (): void => (ended?.(), free()) : undefined;
        // What the ledger holds of the folder still counts; the pass copied nothing it can report.
        const failed = (err: MigrationError, cp?: FolderCheckpoint): FolderReport => folderReport(folderRef(pair, task), cp, 'failed', 0, 0, { code: err.code, message: err.message });
        try {
          if (fatal) return failed(fatal);
          return await copyFolder(deps, { gate, retryBaseMs: opts.retryBaseMs, syncFlags: final, onBudgetPause, waitForBudget: (t) => pauses.until(t), ...(task.start ? { start: task.start } : {}), ...(opts.onCopied ? { onCopied: opts.onCopied } : {}), ...(folderRead ? { onSourceRead: folderRead } : {}), ...(freeWorker ? { freeWorker } : {}), ...(lanes ? { lanes } : {}) }, folderRef(pair, task));
        } catch (e) {
          const err = classify(e, 'engine');
          if (MAILBOX_FATAL.includes(err.code)) fatal = err;
          deps.log.warn(`${pair.sourceEmail} "${task.sourcePath}": ${err.code} ${err.message}`);
          return failed(err, await deps.checkpoints.get(pair.key, task.sourcePath).catch(() => undefined));
        } finally {
          folderRead?.();
          ended?.();
        }
      }),
    ),
  );
  const leave = opts.spare?.join(limit, deps.settings.maxConnectionsPerMailbox, () => lanes?.lent ?? 0);
  const folders: FolderReport[] = [];
  try {
    (await work).forEach((r, k) => (folders[order[k]!] = r));
  } finally {
    leave?.();
  }
  return finishMailboxPass(deps, pair, { startedAt, folders, skippedFolders: prepared.skipped, renamedFolders: prepared.renamed, ...(prepared.excluded ? { excludedFolders: prepared.excluded } : {}), ...(prepared.sourceGone ? { sourceFoldersGone: prepared.sourceGone } : {}), ...(fatal ? { error: { code: fatal.code, message: fatal.message } } : {}), final, verify: { attempt: retry } });
}

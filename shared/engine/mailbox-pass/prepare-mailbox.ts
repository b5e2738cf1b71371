import type { MailboxPair } from '../../contracts/mailbox-pair.js';
import type { PreparedFolders } from '../../contracts/engine-types.js';
import type { FolderStatus } from '../../contracts/imap.js';
import { MigrationError } from '../../errors/migration-error.js';
import type { EngineDeps } from '../engine-deps.js';
import { beginFolderPass, folderRef, folderStatuses } from '../folder-pass.js';
import type { DestinationSeen } from '../../domain/checkpoints/destination-repair.js';
import type { FolderTask } from '../../contracts/engine-types.js';
import { prepareFolders } from '../prepare-folders.js';
import { once, type Attempt } from '../retry.js';

export interface PrepareMailboxOptions {
  /** Refuse a pair already cut over. The activity checks its own mailbox; the CLI checks the whole batch before it starts. */
  refuseClosed?: boolean;
  /** How listing and creating the folders is tried. */
  listing?: Attempt;
  /** How each folder's beginFolderPass is tried. */
  beginning?: Attempt;
  /** STATUS answers already taken (a delta's look at the source): not asked again. */
  known?: ReadonlyMap<string, FolderStatus>;
  /**
   * Told the source's STATUS answers as soon as they are in, and how many folders were asked
   * (an answer may be missing: refused, or out of time). The source's round goes out once both
   * sides are listed, while the destination's folders are created: how much the pass has to copy
   * is known before the mailbox is prepared.
   */
  onSourceStatus?: (statuses: ReadonlyMap<string, FolderStatus>, asked: number) => void;
  /** No pipelined STATUS round starts after this time (Date.now() ms): a mailbox of thousands of folders on a distant server leaves the rest to the folders' own passes. */
  statusUntilMs?: number;
}

/**
 * The first half of a mailbox pass, for both drivers: list and map the folders, create what is
 * missing, one STATUS per folder on one session of each side, pipelined (the source's while the
 * destination's folders are created; with the listing where the server answers STATUS within
 * LIST, with its CREATE for a folder created), and each folder's pass started
 * from its answer (`task.start`). The driver sizes the mailbox's parallelism from those starts, and
 * an unchanged folder needs no second STATUS. A folder whose start failed has none: its own pass
 * asks again and reports the failure.
 */
export async function prepareMailbox(deps: EngineDeps, pair: MailboxPair, opts: PrepareMailboxOptions = {}): Promise<PreparedFolders> {
  if (opts.refuseClosed) {
    const closedAt = await deps.checkpoints.closedAt(pair.key);
    if (closedAt) throw new MigrationError('MAILBOX_CLOSED', 'permanent', `this mailbox pair was cut over at ${closedAt}; no pass may copy into it again`);
  }
  const known = new Map(opts.known ?? []);
  // The source's STATUS round does not wait for the destination's CREATEs (on its own connection,
  // idle meanwhile); the destination's must: it asks about the folders created.
  // (A listing tried again after a failure asks again: the last round is the one kept.)
  // Where the servers answer STATUS within LIST (LIST-STATUS), the listing's answers are taken and
  // only the rest asked; the destination's folders created are asked theirs with their CREATE.
  const round: { early?: Promise<Map<string, FolderStatus>>; destination?: ReadonlyMap<string, FolderStatus> } = {};
  const onListed = (paths: readonly string[], listed: ReadonlyMap<string, FolderStatus>): void => {
    const fromList = new Map([...listed].filter(([p]) => !known.has(p)));
    const ask = paths.filter((p) => !known.has(p) && !fromList.has(p));
    const early = ask.length > 0 ? folderStatuses(deps, pair.sourceEmail, ask, opts.statusUntilMs).then((got) => new Map([...fromList, ...got])) : Promise.resolve(fromList);
    round.early = early;
    void early.then((got) => opts.onSourceStatus?.(new Map([...known, ...got]), paths.length));
  };
  const onDestinationStatus = (statuses: ReadonlyMap<string, FolderStatus>): void => void (round.destination = statuses);
  // The folders earlier passes copied are asked with the listings (behind each LIST where the server has no LIST-STATUS).
  const ledger = await deps.checkpoints.list(pair.key);
  const expected = { source: ledger.map((cp) => cp.sourcePath), destination: ledger.map((cp) => cp.destinationPath) };
  const prepared = await (opts.listing ?? once)(() => prepareFolders(deps, pair, { onListed, onDestinationStatus, sourceStatusKnown: known.size > 0, expected }));
  for (const [path, status] of (await round.early) ?? []) known.set(path, status);
  const unknown = prepared.folders.map((t) => t.sourcePath).filter((p) => !known.has(p));
  // Pipelined where the connection allows: one round trip for the mailbox, not one per folder;
  // what the early round missed (a folder the mapping added, a refusal) asked beside the destination's.
  const [sourceAnswers, destination] = await Promise.all([
    unknown.length > 0 ? folderStatuses(deps, pair.sourceEmail, unknown, opts.statusUntilMs) : Promise.resolve(new Map<string, FolderStatus>()),
    destinationStatuses(deps, pair, prepared.folders, round.destination ?? new Map(), opts.statusUntilMs),
  ]);
  for (const [path, status] of sourceAnswers) known.set(path, status);
  // Folders of the ledger the source no longer lists: reported (cut-over deletes their copies only with DELETE_GONE_FOLDERS_AT_CUTOVER).
  const listed = new Set([...prepared.folders, ...prepared.skipped, ...(prepared.excluded ?? [])].map((f) => f.sourcePath));
  const gone = ledger.filter((cp) => !listed.has(cp.sourcePath)).map((cp) => ({ sourcePath: cp.sourcePath, destinationPath: cp.destinationPath }));
  if (gone.length > 0) prepared.sourceGone = gone;
  const beginning = opts.beginning ?? once;
  for (const task of prepared.folders) {
    const status = known.get(task.sourcePath);
    if (!status) continue; // refused, or out of time: asked again, and a failure reported, by the folder's own pass
    const start = await beginning(() => beginFolderPass(deps, folderRef(pair, task), status, destination.get(task.sourcePath))).catch(() => undefined);
    if (start) task.start = start;
  }
  return prepared;
}

/**
 * The destination folders as they are now (source path → what was seen): the answers taken while
 * preparing (`taken`, destination path → status), and one pipelined STATUS round at the
 * destination for the rest. A folder with a checkpoint that was deleted, recreated or emptied
 * there since its last pass is repaired; one without a checkpoint is reconciled when it already
 * holds messages (a lost ledger) — in one round instead of one STATUS per folder.
 */
async function destinationStatuses(deps: EngineDeps, pair: MailboxPair, tasks: readonly FolderTask[], taken: ReadonlyMap<string, FolderStatus>, untilMs?: number): Promise<Map<string, DestinationSeen>> {
  const out = new Map<string, DestinationSeen>();
  const ask = tasks.map((t) => t.destinationPath).filter((p) => !taken.has(p));
  const got = ask.length > 0 ? await folderStatuses(deps, pair.destinationEmail, ask, untilMs, 'destination') : new Map<string, FolderStatus>();
  for (const t of tasks) {
    const status = taken.get(t.destinationPath) ?? got.get(t.destinationPath);
    if (status) out.set(t.sourcePath, { status, ...(t.createdAtDestination ? { created: true as const } : {}) });
  }
  return out;
}

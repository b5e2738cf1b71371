import type { UidRange } from '../../domain/ranges/range-planner.js';
import { addIssue, type FolderCheckpoint } from '../../domain/checkpoints/folder-checkpoint.js';
import type { CheckpointStore } from '../../domain/checkpoints/checkpoint-store.js';
import type { AppendResult, FolderStatus, MessageMeta } from '../../contracts/imap.js';
import type { MigrationError } from '../../errors/migration-error.js';
import { subjectOf } from '../fingerprint.js';
import type { CopyRangeResult } from '../../contracts/engine-types.js';
import type { DateWindow } from '../../contracts/mailbox-controls.js';
import { plannedAfter, recordCoverage } from '../../domain/checkpoints/window-coverage.js';
import type { AppendOutcomes, QueuedAppend } from './append-queue.js';

export type ProgressStore = Pick<CheckpointStore, 'put' | 'appendUidMap'>;

export interface ProgressPlace {
  mailbox: string;
  sourcePath: string;
  destinationPath: string;
}

type Copied = Extract<CopyRangeResult, { status: 'copied' }>;

/**
 * One range's bookkeeping: the folder checkpoint and the range's result move together, message
 * by message; the source→destination UID pairs gather for the map. Written to the store twice:
 * the window before the first APPEND, everything at the end, whether the range ended or failed.
 */
export class RangeProgress implements AppendOutcomes {
  /** The first source UID still to copy: UIDs at or below the checkpoint's lastUid are never copied again. */
  readonly from: number;
  readonly result: Copied;
  private readonly mapped: [number, number][] = [];
  private recorded?: Promise<void>;
  private onRecord = false;
  /** The highest destination UID a message of this range was stored at, and how many were stored without one (no APPENDUID). */
  private highestStored = 0;
  private unplaced = 0;

  constructor(
    private readonly store: ProgressStore,
    private readonly place: ProgressPlace,
    readonly cp: FolderCheckpoint,
    private readonly range: Pick<UidRange, 'fromUid' | 'toUid'>,
    /** The pass's date window: what this range settles (recordCoverage). */
    private readonly window: DateWindow = {},
  ) {
    // Below lastUid only where earlier ranges copied a narrower window than this pass's.
    this.from = Math.max(range.fromUid, plannedAfter(cp, window) + 1);
    this.result = { status: 'copied', copied: 0, copiedBytes: 0, alreadyPresent: 0, skipped: 0, failed: 0, vanished: 0, lastUid: Math.max(cp.lastUid, range.toUid) };
  }

  /** A repeated range: every UID in it is done already. */
  get nothingLeft(): boolean {
    return this.from > this.range.toUid;
  }

  /**
   * Puts on record where the destination folder stood (inFlight), so a retry reads what was
   * appended since. Not awaited here: the write goes on while the first bodies arrive, and the
   * first APPEND waits for it (beforeAppend).
   */
  recordWindow(destUidValidity: string, destUidNext: number): void {
    const { cp } = this;
    cp.inFlight = { fromUid: this.from, toUid: this.range.toUid, destUidValidity, destUidNext };
    cp.destinationPath = this.place.destinationPath;
    cp.updatedAt = new Date().toISOString();
    const recorded = this.store.put(this.place.mailbox, structuredClone(cp));
    recorded.catch(() => undefined); // awaited before the first APPEND and at save; never an unhandled rejection
    this.recorded = recorded;
  }

  /** Resolves once the window is on record; throws when it could not be written (no APPEND then). */
  async beforeAppend(): Promise<void> {
    if (!this.onRecord) await this.recorded;
    this.onRecord = true;
  }

  /** Reports messages over the size limit as skipped; returns the others, in order. */
  skipTooLarge<M extends Pick<MessageMeta, 'uid' | 'size'>>(metas: readonly M[], maxMessageBytes: number): M[] {
    const kept: M[] = [];
    for (const m of metas) {
      if (m.size > maxMessageBytes) {
        this.cp.skippedCount += 1;
        this.result.skipped += 1;
        addIssue(this.cp.skipped, { uid: m.uid, size: m.size, code: 'MESSAGE_TOO_LARGE', reason: `${m.size} bytes is over MAX_MESSAGE_BYTES (${maxMessageBytes})` });
      } else kept.push(m);
    }
    return kept;
  }

  /** A source message found in the retry window at `destUid`: not appended again. */
  alreadyPresent(uid: number, destUid: number): void {
    this.mapped.push([uid, destUid]);
    this.cp.alreadyPresent += 1;
    this.result.alreadyPresent += 1;
  }

  /** Source messages expunged between the range's metadata and body FETCH: neither copied nor failed. */
  vanished(count: number): void {
    if (count <= 0) return;
    this.cp.vanished = (this.cp.vanished ?? 0) + count;
    this.result.vanished += count;
  }

  stored(m: QueuedAppend, appended: AppendResult): void {
    if (appended.uid !== undefined) this.mapped.push([m.uid, appended.uid]);
    if (appended.uid === undefined) this.unplaced += 1;
    else this.highestStored = Math.max(this.highestStored, appended.uid);
    this.cp.copied += 1;
    this.cp.copiedBytes += m.size;
    this.cp.droppedKeywords += m.dropped;
    this.result.copied += 1;
    this.result.copiedBytes += m.size;
  }

  refused(m: QueuedAppend, e: MigrationError): void {
    this.cp.failedCount += 1;
    this.result.failed += 1;
    addIssue(this.cp.failed, { uid: m.uid, size: m.size, code: e.code, reason: e.message, ...optionalSubject(m.source) });
  }

  /**
   * Whether a STATUS of the destination folder (`uidValidity` as the range selected it) was
   * answered after every message this range stored: its UIDNEXT lies past each of their UIDs.
   * Unknowable when a message was stored without its UID.
   */
  answeredAfterStores(status: FolderStatus, uidValidity: string): boolean {
    return this.unplaced === 0 && status.uidValidity === uidValidity && status.uidNext > this.highestStored;
  }

  /** Every UID of the range is done: no window left for a retry to read. */
  complete(): void {
    recordCoverage(this.cp, this.from, this.range.toUid, this.window);
    this.cp.lastUid = Math.max(this.cp.lastUid, this.range.toUid);
    delete this.cp.inFlight;
  }

  /** The range failed with every UID up to `done` settled: that much is certain; inFlight stays so the retry reads the window. */
  interrupted(done: number): void {
    recordCoverage(this.cp, this.from, done, this.window);
    this.cp.lastUid = Math.max(this.cp.lastUid, done);
  }

  /** Writes the UID pairs, then the checkpoint; a store error here is not the range's failure. */
  async save(destUidValidity: string): Promise<void> {
    // In order after the window's own record, whatever the store.
    await this.recorded?.catch(() => undefined);
    this.cp.updatedAt = new Date().toISOString();
    // The map first: a checkpoint that says "done" must never point past a map that lacks the pairs.
    await this.store.appendUidMap(this.place.mailbox, this.place.sourcePath, destUidValidity, this.mapped).catch(() => undefined);
    await this.store.put(this.place.mailbox, this.cp).catch(() => undefined);
  }
}

function optionalSubject(raw: Buffer | undefined): { subject?: string } {
  const s = raw ? subjectOf(raw) : undefined;
  return s === undefined ? {} : { subject: s };
}

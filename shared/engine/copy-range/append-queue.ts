import type { AppendResult } from '../../contracts/imap.js';
import { MigrationError } from '../../errors/migration-error.js';

/** Bytes queued for a pipelining connection at the most (the in-flight count bounds the messages). */
export const PIPELINE_BYTES = 16 * 1024 * 1024;

/** Of a queued message, at most this much is kept for its subject should it be refused (headerKept). */
export const KEPT_HEADER_BYTES = 64 * 1024;

/**
 * What a queued message keeps until its APPEND is answered: the message itself when small, else
 * a copy of its first KEPT_HEADER_BYTES, where its Subject is. A message sent but not yet answered
 * is then not held whole for a subject that is read only if it is refused (with up to two
 * MULTIAPPEND commands of 50 in flight per connection, megabytes each while a mailbox's last
 * APPENDs are answered).
 */
export function headerKept(raw: Buffer): Buffer {
  return raw.length <= KEPT_HEADER_BYTES ? raw : Buffer.from(raw.subarray(0, KEPT_HEADER_BYTES));
}

export interface QueuedAppend {
  uid: number;
  size: number;
  dropped: number;
  /** Kept until settled (the pipeline window bounds it), for the subject of a refused message: its start only (headerKept). */
  source?: Buffer;
  /** undefined: nothing appended (already at the destination). */
  appended: Promise<AppendResult | undefined>;
}

/** What the queue needs of a pipelining connection (PipelinedAppender). */
export interface AppendPipeline {
  /** Ends the command being written when `appended` is in it, so waiting for it cannot stall. */
  flushFor(appended: Promise<unknown>): void;
  readonly queuedBytes: number;
  readonly batchMessages: number;
}

/** Where settled appends are reported, in source UID order. */
export interface AppendOutcomes {
  stored(m: QueuedAppend, appended: AppendResult): void;
  refused(m: QueuedAppend, e: MigrationError): void;
}

/** A permanent refusal of this message alone (too large, malformed), not of the mailbox or the connection. */
export function isMessageRefusal(e: unknown): e is MigrationError {
  return e instanceof MigrationError && e.errorClass === 'permanent' && e.code !== 'OVER_QUOTA' && e.code !== 'IMAP_AUTH_FAILED' && e.code !== 'FOLDER_NOT_FOUND';
}

/**
 * Appends in flight, in source UID order: each settles in turn, so `done` only moves past a
 * message once it and every message before it are stored, found already there or reported
 * refused. Any other failure is thrown from the settling call, `done` left before that message.
 */
export class AppendQueue {
  private readonly queue: QueuedAppend[] = [];
  private settled: number;
  private readonly inFlightMax: number;

  constructor(
    fromUid: number,
    private readonly outcomes: AppendOutcomes,
    private readonly pipeline: AppendPipeline | undefined,
    pipelineDepth: number,
    private readonly maxQueuedBytes = PIPELINE_BYTES,
  ) {
    this.settled = fromUid - 1;
    // With MULTIAPPEND a message may still wait for its command to fill up: room for two
    // commands, so a full one goes out while the next fills; the head is flushed before waiting.
    this.inFlightMax = Math.max(pipelineDepth, 2 * (pipeline?.batchMessages ?? 1));
  }

  /** Every source UID up to this one is settled. */
  get done(): number {
    return this.settled;
  }

  get length(): number {
    return this.queue.length;
  }

  push(m: QueuedAppend): void {
    m.appended.catch(() => undefined); // settled in order; never an unhandled rejection
    this.queue.push(m);
  }

  /** A message found already at the destination: settles in its turn with nothing appended. */
  pushPresent(uid: number): void {
    this.push({ uid, size: 0, dropped: 0, appended: Promise.resolve(undefined) });
  }

  /** Settles from the head while the window is full or the connection holds too many bytes unsent. */
  async relieve(): Promise<void> {
    while (this.queue.length > 0 && (this.queue.length >= this.inFlightMax || (this.pipeline?.queuedBytes ?? 0) > this.maxQueuedBytes)) await this.settle(this.queue.shift()!);
  }

  async drain(): Promise<void> {
    while (this.queue.length > 0) await this.settle(this.queue.shift()!);
  }

  /**
   * Source UIDs up to `uid` that were never queued (expunged between the metadata and the body
   * fetch) count as done once everything queued before them is settled: in turn, so the next
   * FETCH need not wait for this one's APPENDs.
   */
  passed(uid: number): void {
    this.push({ uid, size: 0, dropped: 0, appended: Promise.resolve(undefined) });
  }

  private async settle(m: QueuedAppend): Promise<void> {
    this.pipeline?.flushFor(m.appended);
    try {
      const appended = await m.appended;
      if (appended) this.outcomes.stored(m, appended);
    } catch (e) {
      if (!isMessageRefusal(e)) throw e;
      // This message alone was refused: report it, go on.
      this.outcomes.refused(m, e);
    }
    this.settled = Math.max(this.settled, m.uid);
  }
}

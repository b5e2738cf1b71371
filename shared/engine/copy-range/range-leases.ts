import { MigrationError } from '../../errors/migration-error.js';
import type { AppendPipeline, DestinationWriter, ImapConnections, Leased, SourceFolders } from '../../contracts/imap-ports.js';
import type { SelectedFolder } from '../../contracts/imap.js';

/** How a range ended, for its connections: 'throttled' is a failure that leaves the source connection good. */
export type RangeOutcome = 'ok' | 'broken' | 'throttled';

/** The outcome of a range (or a lane) that failed with `e`. */
export function failedWith(e: unknown): RangeOutcome {
  return e instanceof MigrationError && e.errorClass === 'throttled' ? 'throttled' : 'broken';
}

/** The pool's side of leasing. */
export type LeasePool = Pick<ImapConnections, 'acquireFolders' | 'acquire' | 'acquireAppender' | 'release' | 'releaseAppender' | 'appenderReturning'>;

export interface RangeMailboxes {
  sourceEmail: string;
  destinationEmail: string;
  destinationPath: string;
}

/**
 * Every connection one range holds, taken from the pool and given back here and nowhere else:
 * the source folder session, the pipelining APPEND connection (when the server can pipeline) and
 * an imapflow destination session, opened only when something needs it.
 */
export class RangeLeases {
  private sourceLease?: { session: SourceFolders; release: (broken?: boolean) => void };
  private pipeline?: Leased<AppendPipeline>;
  private pipelineTaking?: Promise<AppendPipeline | undefined>;
  private dst?: DestinationWriter;

  constructor(private readonly pool: LeasePool, private readonly mailboxes: RangeMailboxes) {}

  async source(): Promise<SourceFolders> {
    this.sourceLease ??= await this.pool.acquireFolders('source', this.mailboxes.sourceEmail);
    return this.sourceLease.session;
  }

  /** The pipelining connection, or undefined when the server cannot pipeline: appends then go through destination(). Taken once, however many ask at once. */
  appender(): Promise<AppendPipeline | undefined> {
    this.pipelineTaking ??= this.pool.acquireAppender(this.mailboxes.destinationEmail).then((lease) => {
      this.pipeline = lease;
      return lease?.item;
    });
    return this.pipelineTaking;
  }

  /**
   * The imapflow destination session, opened on the destination folder at first use. With a
   * pipelining connection it is needed only for a retry window or a message that cannot be
   * pipelined: one connection per worker instead of two.
   */
  async destination(): Promise<DestinationWriter> {
    if (!this.dst) {
      this.dst = await this.pool.acquire('destination', this.mailboxes.destinationEmail);
      await this.dst.select(this.mailboxes.destinationPath, false);
    }
    return this.dst;
  }

  /** The destination folder selected for appending: on the pipelining connection, else on the imapflow session. */
  async selectDestination(): Promise<{ appender: AppendPipeline | undefined; selected: SelectedFolder }> {
    const appender = await this.appender();
    const selected = appender ? await appender.selectFolder(this.mailboxes.destinationPath) : await (await this.destination()).select(this.mailboxes.destinationPath, false);
    return { appender, selected };
  }

  /** Every body this range (or lane) copies has arrived: the source connection goes back now, in good order (the folder's next range, or the mailbox's next folder, plans on it). */
  releaseSource(): void {
    this.sourceLease?.release(false);
    this.sourceLease = undefined;
  }

  /**
   * The next folder takes this one's worker: the APPEND connection in hand is said to come back
   * soon (only its last answers are awaited), and that folder waits for it rather than log in
   * another. Not said otherwise: a folder already on its own worker opens its own.
   */
  handOver(): void {
    if (this.pipeline) this.pool.appenderReturning?.(this.mailboxes.destinationEmail, this.pipeline.item);
  }

  release(outcome: RangeOutcome): void {
    const broken = outcome !== 'ok';
    // A throttling answer leaves the source connection good (the raw reader knows when it is not):
    // the retry after the wait goes on it rather than logging in again during the back-off.
    this.sourceLease?.release(broken && outcome !== 'throttled');
    if (this.dst) this.pool.release(this.dst, broken);
    if (this.pipeline) this.pool.releaseAppender(this.mailboxes.destinationEmail, this.pipeline, broken);
  }
}

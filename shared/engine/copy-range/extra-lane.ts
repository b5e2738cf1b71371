import type { SourceFolders } from '../../contracts/imap-ports.js';
import { MigrationError } from '../../errors/migration-error.js';
import type { EngineDeps } from '../engine-deps.js';
import type { CopyRangeInput } from './range-input.js';
import { AppendQueue } from './append-queue.js';
import type { DestinationSide } from './range-destination.js';
import { RangeLeases, type RangeOutcome } from './range-leases.js';
import type { RangeProgress } from './range-progress.js';

/**
 * A lane beside the range's own: a source connection of its own on the same folder and an APPEND
 * connection of its own on the same destination folder. It appends nothing before the range's
 * first lane has its destination ready (the retry window read and its record written), and it
 * claims copies from that same window: of two identical messages in two lanes, one copy found
 * stands for one of them only. Its queue settles its own run of UIDs, from `before` + 1 on.
 */
export class ExtraLane {
  readonly leases: RangeLeases;
  private opening?: Promise<DestinationSide>;
  private own?: DestinationSide;

  constructor(
    private readonly deps: EngineDeps,
    private readonly input: CopyRangeInput,
    private readonly progress: RangeProgress,
    private readonly first: () => Promise<DestinationSide>,
    private readonly before: number,
  ) {
    this.leases = new RangeLeases(deps.pool, input);
  }

  /** Every UID of the lane up to this one is settled. */
  get done(): number {
    return this.own?.queue.done ?? this.before;
  }

  /** The lane's source connection on the folder, checked to be the same folder the range planned (its UIDVALIDITY). */
  async source(uidValidity: string): Promise<SourceFolders> {
    const src = await this.leases.source();
    const sel = await src.select(this.input.sourcePath, true);
    if (sel.uidValidity !== uidValidity) throw changed('source', this.input.sourcePath);
    return src;
  }

  /** The lane's destination side, opened once: after the first lane's, on the same folder. */
  side(): Promise<DestinationSide> {
    this.opening ??= this.open();
    return this.opening;
  }

  release(outcome: RangeOutcome): void {
    this.leases.release(outcome);
  }

  private async open(): Promise<DestinationSide> {
    const first = await this.first();
    const { appender, selected } = await this.leases.selectDestination();
    if (selected.uidValidity !== first.selected.uidValidity) throw changed('destination', this.input.destinationPath);
    this.own = { appender, selected: first.selected, retryWindow: first.retryWindow, queue: new AppendQueue(this.before + 1, this.progress, appender, this.deps.settings.appendPipelineDepth) };
    return this.own;
  }
}

/** The folder was rebuilt while the range ran: the range is tried again, and sees it at its own SELECT. */
function changed(side: 'source' | 'destination', path: string): MigrationError {
  return new MigrationError('UIDVALIDITY_CHANGED', 'transient', `${side} folder "${path}" changed its UIDVALIDITY while the range was copied`);
}

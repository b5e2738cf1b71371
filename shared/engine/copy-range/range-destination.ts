import type { AppendPipeline } from '../../contracts/imap-ports.js';
import type { SelectedFolder } from '../../contracts/imap.js';
import { destinationIdentity, type EngineDeps } from '../engine-deps.js';
import type { CopyRangeInput } from './range-input.js';
import { AppendQueue } from './append-queue.js';
import type { RangeLeases } from './range-leases.js';
import type { RangeProgress } from './range-progress.js';
import { fingerprintFolderKey, openRetryWindow, type RetryWindow } from './retry-window.js';

/** The destination side of a range (or of one of its lanes), ready to append: its folder selected, the retry window open and on record (shared by the lanes), the queue its own. */
export interface DestinationSide {
  appender: AppendPipeline | undefined;
  selected: SelectedFolder;
  retryWindow: RetryWindow;
  queue: AppendQueue;
}

/**
 * A range's destination, made ready while the source's bodies are already asked for: its APPEND
 * connection taken, its folder selected, the retry window read and put on record. Nothing is
 * appended before ready() resolves and the record is written (RangeProgress.beforeAppend). A range
 * that ends first — its source failed — records no window; settle() waits for whatever was still
 * being taken, so the range gives back every connection it holds, never one left lent.
 */
export class RangeDestination {
  private ended = false;
  private side?: DestinationSide;
  private readying?: Promise<DestinationSide>;
  private readonly opening: Promise<Omit<DestinationSide, 'queue'>>;
  private readonly pipelineDepth: number;

  /** `onReady`: once, when the side is ready (the range reports what it skips only then, after the window's record). */
  constructor(
    deps: EngineDeps,
    input: CopyRangeInput,
    leases: RangeLeases,
    private readonly progress: RangeProgress,
    private readonly onReady: () => void,
  ) {
    this.pipelineDepth = deps.settings.appendPipelineDepth;
    this.opening = this.open(deps, input, leases);
    this.opening.catch(() => undefined); // awaited by ready() or settle(); never unhandled meanwhile
  }

  /** The side once ready(): undefined while it is not (then nothing was appended). */
  get held(): DestinationSide | undefined {
    return this.side;
  }

  /** The side, made once however many lanes ask for it at once. */
  ready(): Promise<DestinationSide> {
    this.readying ??= this.opening.then((d) => {
      this.onReady();
      this.side = { ...d, queue: new AppendQueue(this.progress.from, this.progress, d.appender, this.pipelineDepth) };
      return this.side;
    });
    return this.readying;
  }

  async settle(): Promise<void> {
    this.ended = true;
    await this.opening.catch(() => undefined);
  }

  private async open(d: EngineDeps, input: CopyRangeInput, leases: RangeLeases): Promise<Omit<DestinationSide, 'queue'>> {
    const { checkpoints, settings } = d;
    const identity = destinationIdentity(settings);
    const { appender, selected } = await leases.selectDestination();
    const retryWindow = await openRetryWindow(this.progress.cp, selected.uidValidity, {
      identity,
      decodeWords: d.decodeHeaderWords,
      cache: d.fingerprints,
      folderKey: fingerprintFolderKey(settings.destination, input.destinationEmail, selected.uidValidity, identity, input.destinationPath),
      readUidMap: () => checkpoints.readUidMap(input.mailbox, input.sourcePath),
      destination: () => leases.destination(),
    }, this.progress.from);
    if (!this.ended) this.progress.recordWindow(selected.uidValidity, retryWindow.start ?? selected.uidNext);
    return { appender, selected, retryWindow };
  }
}

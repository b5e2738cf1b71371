import { FifoSlots } from './fifo-slots.js';

/** A turn to prepare a mailbox ahead of its pass slot; given back once, later calls do nothing. */
export interface PrepareTurn {
  giveBack(): void;
}

/**
 * When a mailbox waiting for a pass slot may prepare (log in, list, create its folders, ask their
 * STATUS), so that its set-up round trips overlap the copying before it: one turn per pass slot.
 * A mailbox takes a turn before it prepares; its pass gives the turn back the first time it has
 * started its last folder (its slot frees soon), hands its slot back for a budget wait, or ends,
 * and a preparation that ends the mailbox (failed) gives it back at once. So at most one mailbox
 * per slot is prepared and waiting, and it prepares shortly before the slot frees rather than
 * with the batch's first mailboxes, whose own set-up it would slow.
 */
export class PrepareTurns {
  private readonly turns: FifoSlots;

  constructor(slots: number) {
    this.turns = new FifoSlots(slots);
  }

  /** Mailboxes waiting for a turn. */
  get pendingCount(): number {
    return this.turns.pendingCount;
  }

  async take(): Promise<PrepareTurn> {
    const turn = await this.turns.hold();
    return { giveBack: () => turn.yield() };
  }
}

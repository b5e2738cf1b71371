import { FifoSlots } from './fifo-slots.js';

/**
 * The batch's pass slots (`--concurrency`): a mailbox copies while it holds one. Unlike a plain
 * limiter, a slot can be handed back mid-pass and taken again: a mailbox that waits for its byte
 * budget's next window (hours, for Google's daily cap) lets another mailbox copy meanwhile, and
 * is served first when it asks again, before mailboxes that have not started.
 */
export class PassSlots extends FifoSlots {
  /** Runs `fn` in a slot; `fn` is given the slot's hand-back (budget-pauses.ts) and must leave it held. */
  async run<T>(fn: (slot: HeldSlot) => Promise<T>): Promise<T> {
    await this.acquire();
    const slot: HeldSlot = { yield: () => this.release(), reclaim: () => this.acquire(true) };
    try {
      return await fn(slot);
    } finally {
      this.release();
    }
  }
}

/** A slot held by a running pass: handed back while it waits, reclaimed (ahead of the queue) before it goes on. */
export interface HeldSlot {
  yield(): void;
  reclaim(): Promise<void>;
}

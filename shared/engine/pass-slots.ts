import { FifoSlots, type HeldSlot } from './fifo-slots.js';

export type { HeldSlot };

/**
 * The batch's pass slots (`--concurrency`): a mailbox copies while it holds one. Unlike a plain
 * limiter, a slot can be handed back mid-pass and taken again: a mailbox that waits for its byte
 * budget's next window (hours, for Google's daily cap) lets another mailbox copy meanwhile, and
 * is served first when it asks again, before mailboxes that have not started; a mailbox whose
 * source is read hands it on for good while its last APPENDs finish (run-batch.ts).
 */
export class PassSlots extends FifoSlots {
  /** Runs `fn` in a slot (FifoSlots.hold), given back at its end whether `fn` handed it back or not. */
  async run<T>(fn: (slot: HeldSlot) => Promise<T>): Promise<T> {
    const slot = await this.hold();
    try {
      return await fn(slot);
    } finally {
      slot.end();
    }
  }
}

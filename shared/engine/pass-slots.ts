import { FifoSlots } from './fifo-slots.js';

/**
 * The batch's pass slots (`--concurrency`): a mailbox copies while it holds one. Unlike a plain
 * limiter, a slot can be handed back mid-pass and taken again: a mailbox that waits for its byte
 * budget's next window (hours, for Google's daily cap) lets another mailbox copy meanwhile, and
 * is served first when it asks again, before mailboxes that have not started; a mailbox whose
 * source is read hands it on for good while its last APPENDs finish (run-batch.ts).
 */
export class PassSlots extends FifoSlots {
  /** Runs `fn` in a slot; `fn` is given the slot's hand-back (budget-pauses.ts). The slot is given back at the end only if still held. */
  async run<T>(fn: (slot: HeldSlot) => Promise<T>): Promise<T> {
    await this.acquire();
    let held = true;
    let reclaiming: Promise<void> | undefined;
    const slot: HeldSlot = {
      yield: () => {
        if (!held) return;
        held = false;
        this.release();
      },
      reclaim: () => {
        if (held) return Promise.resolve();
        reclaiming ??= this.acquire(true).then(() => {
          held = true;
          reclaiming = undefined;
        });
        return reclaiming;
      },
    };
    try {
      return await fn(slot);
    } finally {
      // A reclaim still queued gives its slot back as soon as it has it.
      if (reclaiming) void reclaiming.then(() => slot.yield());
      slot.yield();
    }
  }
}

/** A slot held by a running pass: handed back while it waits, reclaimed (ahead of the queue) before it goes on. Each call is idempotent. */
export interface HeldSlot {
  yield(): void;
  reclaim(): Promise<void>;
}

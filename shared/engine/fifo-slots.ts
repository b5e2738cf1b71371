/** A slot held: handed back while its holder waits, reclaimed (ahead of the queue) before it goes on. Each call is idempotent. */
export interface HeldSlot {
  yield(): void;
  reclaim(): Promise<void>;
}

/** A counting semaphore served in order of asking: `acquire` resolves once one of its slots is free. */
export class FifoSlots {
  private free: number;
  private readonly queue: (() => void)[] = [];

  constructor(slots: number) {
    this.free = Math.max(1, slots);
  }

  /** Callers waiting for a slot. */
  get pendingCount(): number {
    return this.queue.length;
  }

  /** Takes a slot once one is free; `first`: ahead of every other waiter. */
  acquire(first = false): Promise<void> {
    if (this.free > 0 && this.queue.length === 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => (first ? this.queue.unshift(resolve) : this.queue.push(resolve)));
  }

  /** Gives a slot back: to the first waiter, if any. */
  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.free += 1;
  }

  /**
   * Takes a slot once one is free, as a handle that knows whether it holds it: however often it
   * is handed back, it frees the slot once, and a reclaim takes one slot again (ahead of the queue)
   * only when it had been handed back. `end()` when its holder is done.
   */
  async hold(): Promise<HeldSlot & { end(): void }> {
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
    // The holder is done: the slot is given back, and a reclaim still queued gives its slot back as soon as it has it.
    const end = (): void => {
      if (reclaiming) void reclaiming.then(() => slot.yield());
      slot.yield();
    };
    return { ...slot, end };
  }
}

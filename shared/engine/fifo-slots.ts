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
}

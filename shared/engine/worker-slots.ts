/** What the batch and the mailbox's lanes see of a mailbox's folder workers (WorkerSlots; p-limit's limiter has the same shape). */
export interface WorkerLimit {
  /** Workers: raising it starts folders waiting for one. */
  concurrency: number;
  /** Folders holding a worker now. */
  readonly activeCount: number;
  /** Folders waiting for a worker. */
  readonly pendingCount: number;
  /** Folders that freed their worker early and have not ended (their last APPENDs still answered): their connections are still held. */
  readonly freedCount?: number;
}

/**
 * A mailbox's folder workers: at most `concurrency` folders hold one at a time, started in the
 * order queued. A folder may free its worker before it ends (`free`, given to it): on a far server
 * a folder whose bodies have all arrived only waits for its last APPENDs' answers and its closing
 * STATUS, round trips in which the next folder's plan and first FETCH can already go. Freeing is
 * idempotent, and implied when the folder ends.
 */
export class WorkerSlots implements WorkerLimit {
  private limit: number;
  private active = 0;
  private freed = 0;
  private readonly queue: (() => void)[] = [];

  constructor(concurrency: number) {
    this.limit = Math.max(1, concurrency);
  }

  get concurrency(): number {
    return this.limit;
  }

  set concurrency(n: number) {
    this.limit = Math.max(1, n);
    this.startWaiting();
  }

  get activeCount(): number {
    return this.active;
  }

  get pendingCount(): number {
    return this.queue.length;
  }

  get freedCount(): number {
    return this.freed;
  }

  /** Runs `fn` once a worker is free; `fn` may free it early with the function it is given. */
  run<T>(fn: (free: () => void) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => {
        let held = true;
        let ended = false;
        const free = (): void => {
          if (!held) return;
          held = false;
          this.active -= 1;
          if (!ended) this.freed += 1;
          this.startWaiting();
        };
        const end = (): void => {
          ended = true;
          if (held) free();
          else this.freed -= 1;
        };
        // The worker is accounted for before the caller hears the folder ended.
        (async () => fn(free))().then(
          (v) => (end(), resolve(v)),
          (e: unknown) => (end(), reject(e)),
        );
      });
      this.startWaiting();
    });
  }

  private startWaiting(): void {
    while (this.active < this.limit && this.queue.length > 0) {
      this.active += 1;
      this.queue.shift()!();
    }
  }
}

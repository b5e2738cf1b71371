import type { WorkerLimit } from './worker-slots.js';

interface Running {
  folders: WorkerLimit;
  max: number;
  /** Workers the mailbox lends its own running ranges as lanes (IdleWorkers): busy too. */
  lanes: () => number;
}

/**
 * A batch's mailbox slots that its end leaves idle, lent to the mailboxes still running as extra
 * folder workers. While mailboxes wait for a slot nothing is lent; once none waits, each slot a
 * finished mailbox frees goes to the running mailbox with the most folders not yet started, up
 * to its own limit (MAX_CONNECTIONS_PER_MAILBOX). A worker is a source and a destination
 * connection, as a one-worker mailbox is: the batch keeps about as many connections as before,
 * and its last, largest mailboxes no longer finish alone on one connection pair.
 */
export class SpareWorkers {
  private readonly running = new Set<Running>();

  /** `waiting`: mailboxes of the batch not yet running (queued for a look-up or a pass). */
  constructor(
    private readonly waiting: () => number,
    private readonly slots: number,
  ) {}

  /** A mailbox's folder limiter, with its folders queued; call the returned function when the mailbox is done. */
  join(folders: WorkerLimit, max: number, lanes: () => number = () => 0): () => void {
    const r: Running = { folders, max, lanes };
    this.running.add(r);
    this.lend();
    return () => {
      this.running.delete(r);
      this.lend();
    };
  }

  private lend(): void {
    if (this.waiting() > 0) return;
    // Workers in use: a limiter's concurrency counts only as far as it has folders to run. A folder
    // that freed its worker early still holds its APPEND connection until it ends: busy too.
    const busy = (r: Running): number => Math.min(r.folders.concurrency, r.folders.activeCount + (r.folders.freedCount ?? 0) + r.folders.pendingCount + r.lanes());
    let used = [...this.running].reduce((n, r) => n + busy(r), 0);
    while (used < this.slots) {
      const candidates = [...this.running].filter((r) => r.folders.pendingCount > 0 && r.folders.concurrency < r.max);
      if (candidates.length === 0) return;
      const most = candidates.reduce((a, b) => (b.folders.pendingCount > a.folders.pendingCount ? b : a));
      most.folders.concurrency += 1;
      used += 1;
    }
  }
}

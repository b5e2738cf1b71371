import type { Leased } from '../../contracts/imap-ports.js';
import { TOKEN_MARGIN_MS, type Poolable } from './idle-pool.js';

/** How long a range waits for a pipeline said to come back soon before it opens its own. */
export const MAX_WAIT_MS = 2_000;

/**
 * APPEND pipelines lent out whose holders said they will give them back soon (their range has
 * read every body: only the last APPENDs' answers are awaited), per mailbox key; and who waits for
 * one. On a far server the next folder's range waits the round trip or two those answers take
 * rather than log in another connection (TCP, TLS, AUTHENTICATE: three or four round trips, and
 * one of Exchange's ~20 connections per mailbox). A waiter gets the next pipeline of its mailbox
 * given back in good order, or undefined when it came back broken (it then opens its own).
 */
export class ReturningAppenders<T extends Poolable> {
  private readonly soon = new Map<string, Set<T>>();
  private readonly waiters = new Map<string, ((lease: Leased<T> | undefined) => void)[]>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** `item`, lent, is to come back soon. */
  announce(key: string, item: T): void {
    const set = this.soon.get(key) ?? new Set<T>();
    set.add(item);
    this.soon.set(key, set);
  }

  /**
   * Waits for a pipeline coming back that no one else waits for; undefined at once when there is
   * none, or after `maxWaitMs` (a tail that long, a very large message's APPEND, is worth a login).
   */
  take(key: string, maxWaitMs = MAX_WAIT_MS): Promise<Leased<T> | undefined> | undefined {
    const waiting = this.waiters.get(key) ?? [];
    if ((this.soon.get(key)?.size ?? 0) <= waiting.length) return undefined;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const list = this.waiters.get(key) ?? [];
        const at = list.indexOf(served);
        if (at < 0) return;
        list.splice(at, 1);
        if (list.length === 0) this.waiters.delete(key);
        resolve(undefined);
      }, maxWaitMs);
      timer.unref();
      const served = (lease: Leased<T> | undefined): void => {
        clearTimeout(timer);
        resolve(lease);
      };
      waiting.push(served);
      this.waiters.set(key, waiting);
    });
  }

  /**
   * `lease` is given back (`broken`: it failed). True when a waiter took it; false when it is
   * the caller's to pool or close (a broken one still wakes a waiter, with undefined).
   */
  back(key: string, lease: Leased<T>, broken: boolean): boolean {
    const set = this.soon.get(key);
    set?.delete(lease.item);
    if (set?.size === 0) this.soon.delete(key);
    const waiting = this.waiters.get(key);
    const next = waiting?.shift();
    if (waiting?.length === 0) this.waiters.delete(key);
    if (!next) return false;
    const good = !broken && lease.item.usable && (lease.item.inFlight ?? 0) === 0 && lease.expiresOnMs - this.now() > TOKEN_MARGIN_MS;
    next(good ? lease : undefined);
    return good;
  }
}

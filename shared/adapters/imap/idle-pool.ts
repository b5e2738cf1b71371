import type { Leased } from '../../contracts/imap-ports.js';

/** What the pool needs of a connection. */
export interface Poolable {
  readonly usable: boolean;
  /** Commands still unanswered (a connection with some is never kept); absent: none. */
  readonly inFlight?: number;
  close(): Promise<void>;
}

/** A connection whose token has less than this left is not handed out again (Exchange ends it with BYE AccessTokenExpired). */
export const TOKEN_MARGIN_MS = 5 * 60_000;
export const IDLE_CLOSE_MS = 60_000;

interface Entry<T> extends Leased<T> {
  timer: NodeJS.Timeout;
}

/**
 * Idle connections per key (side and mailbox), for re-use across ranges and activity calls: a
 * TLS handshake plus a login costs several round trips and the server's CPU, more than a small
 * range. The last one given back is lent first; each is closed after IDLE_CLOSE_MS unused, and
 * none is handed out with a token about to expire. Once closeAll() ran, whatever is given back
 * is closed.
 */
export class IdlePool<T extends Poolable> {
  private readonly idle = new Map<string, Entry<T>[]>();
  private closed = false;

  constructor(
    private readonly maxIdlePerKey: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  take(key: string): Leased<T> | undefined {
    const list = this.idle.get(key) ?? [];
    while (list.length > 0) {
      const e = list.pop()!;
      clearTimeout(e.timer);
      if (e.item.usable && e.expiresOnMs - this.now() > TOKEN_MARGIN_MS) return { item: e.item, expiresOnMs: e.expiresOnMs };
      void e.item.close();
    }
    return undefined;
  }

  /** Keeps `lease` for re-use, or closes it when broken, busy, unusable, one too many or the pool is closed. */
  put(key: string, lease: Leased<T>, broken = false): void {
    const list = this.idle.get(key) ?? [];
    if (broken || this.closed || !lease.item.usable || (lease.item.inFlight ?? 0) > 0 || list.length >= this.maxIdlePerKey) {
      void lease.item.close();
      return;
    }
    const entry: Entry<T> = { item: lease.item, expiresOnMs: lease.expiresOnMs, timer: setTimeout(() => this.drop(key, entry), IDLE_CLOSE_MS) };
    entry.timer.unref();
    list.push(entry);
    this.idle.set(key, list);
  }

  private drop(key: string, entry: Entry<T>): void {
    const l = this.idle.get(key);
    const i = l?.indexOf(entry) ?? -1;
    if (l && i >= 0) l.splice(i, 1);
    void entry.item.close();
  }

  /** Closes the idle connections kept under `key` (a mailbox that is done). */
  closeKey(key: string): Promise<void> {
    const list = this.idle.get(key) ?? [];
    this.idle.delete(key);
    return Promise.all(list.map((e) => (clearTimeout(e.timer), e.item.close()))).then(() => undefined);
  }

  /** Closes every idle connection; from now on every connection given back is closed too. */
  closeAll(): Promise<void> {
    this.closed = true;
    return Promise.all([...this.idle.keys()].map((k) => this.closeKey(k))).then(() => undefined);
  }
}

/** A raw connection lent out with the expiry of the token it logged in with. */
export interface RawLease<T> {
  item: T;
  expiresOnMs: number;
}

interface RawConnection {
  readonly usable: boolean;
  readonly inFlight: number;
  close(): Promise<void>;
}

/** A session whose token has less than this left is not handed out again (Exchange ends it with BYE AccessTokenExpired). */
export const TOKEN_MARGIN_MS = 5 * 60_000;
export const IDLE_CLOSE_MS = 60_000;

/**
 * Idle raw connections (pipelined appenders, source readers) per mailbox, for re-use across
 * ranges: a login costs round trips and the server's CPU. Each is closed after IDLE_CLOSE_MS
 * unused, and none is handed out with a token about to expire.
 */
export class IdleRaw<T extends RawConnection> {
  private readonly idle = new Map<string, (RawLease<T> & { timer: NodeJS.Timeout })[]>();

  take(key: string): RawLease<T> | undefined {
    const list = this.idle.get(key) ?? [];
    while (list.length > 0) {
      const e = list.pop()!;
      clearTimeout(e.timer);
      if (e.item.usable && e.expiresOnMs - Date.now() > TOKEN_MARGIN_MS) return { item: e.item, expiresOnMs: e.expiresOnMs };
      void e.item.close();
    }
    return undefined;
  }

  /** Keeps `lease` for re-use, or closes it when broken, busy, unusable or one too many. */
  put(key: string, lease: RawLease<T>, broken: boolean, maxIdle: number): void {
    const list = this.idle.get(key) ?? [];
    if (broken || !lease.item.usable || lease.item.inFlight > 0 || list.length >= maxIdle) {
      void lease.item.close();
      return;
    }
    const entry = { ...lease, timer: setTimeout(() => this.drop(key, entry), IDLE_CLOSE_MS) };
    entry.timer.unref();
    list.push(entry);
    this.idle.set(key, list);
  }

  private drop(key: string, entry: RawLease<T>): void {
    const l = this.idle.get(key);
    const i = l?.indexOf(entry as RawLease<T> & { timer: NodeJS.Timeout }) ?? -1;
    if (l && i >= 0) l.splice(i, 1);
    void entry.item.close();
  }

  closeKey(key: string): Promise<void>[] {
    const list = this.idle.get(key) ?? [];
    this.idle.delete(key);
    return list.map((e) => (clearTimeout(e.timer), e.item.close()));
  }

  closeAll(): Promise<void>[] {
    return [...this.idle.keys()].flatMap((k) => this.closeKey(k));
  }
}

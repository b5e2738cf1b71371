import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDLE_CLOSE_MS, IdlePool, TOKEN_MARGIN_MS, type Poolable } from '../../../../shared/adapters/imap/idle-pool.js';

class FakeConnection implements Poolable {
  usable = true;
  inFlight = 0;
  closed = 0;
  constructor(readonly name: string) {}
  close(): Promise<void> {
    this.closed += 1;
    this.usable = false;
    return Promise.resolve();
  }
}

const HOUR = 3_600_000;
const lease = (c: FakeConnection, expiresOnMs = Date.now() + HOUR): { item: FakeConnection; expiresOnMs: number } => ({ item: c, expiresOnMs });

describe('IdlePool: idle connections per key', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lends back the connection given back under the same key, the last given first, and none under another key', () => {
    const pool = new IdlePool<FakeConnection>(4);
    const a = new FakeConnection('a');
    const b = new FakeConnection('b');
    pool.put('source\nx@contoso.example', lease(a));
    pool.put('source\nx@contoso.example', lease(b));
    expect(pool.take('destination\nx@contoso.example')).toBeUndefined();
    expect(pool.take('source\nx@contoso.example')?.item).toBe(b);
    expect(pool.take('source\nx@contoso.example')?.item).toBe(a);
    expect(pool.take('source\nx@contoso.example')).toBeUndefined();
  });

  it('closes a connection left idle for IDLE_CLOSE_MS and never lends it', () => {
    const pool = new IdlePool<FakeConnection>(4);
    const a = new FakeConnection('a');
    pool.put('k', lease(a));
    vi.advanceTimersByTime(IDLE_CLOSE_MS - 1);
    expect(a.closed).toBe(0);
    vi.advanceTimersByTime(1);
    expect(a.closed).toBe(1);
    expect(pool.take('k')).toBeUndefined();
  });

  it('a lent connection is not closed by its idle timer', () => {
    const pool = new IdlePool<FakeConnection>(4);
    const a = new FakeConnection('a');
    pool.put('k', lease(a));
    expect(pool.take('k')?.item).toBe(a);
    vi.advanceTimersByTime(IDLE_CLOSE_MS * 2);
    expect(a.closed).toBe(0);
  });

  it('never lends a connection whose token has TOKEN_MARGIN_MS or less left: it is closed instead', () => {
    const pool = new IdlePool<FakeConnection>(4);
    const old = new FakeConnection('old');
    const fresh = new FakeConnection('fresh');
    pool.put('k', lease(fresh));
    pool.put('k', lease(old, Date.now() + TOKEN_MARGIN_MS));
    expect(pool.take('k')?.item).toBe(fresh);
    expect(old.closed).toBe(1);
  });

  it('a password connection (no expiry) is lent however long it was kept', () => {
    const pool = new IdlePool<FakeConnection>(4);
    const a = new FakeConnection('a');
    pool.put('k', lease(a, Number.POSITIVE_INFINITY));
    vi.advanceTimersByTime(IDLE_CLOSE_MS - 1);
    expect(pool.take('k')?.item).toBe(a);
  });

  it('closes what is given back broken, unusable, with commands in flight, or one over the limit per key', () => {
    const pool = new IdlePool<FakeConnection>(1);
    const broken = new FakeConnection('broken');
    const unusable = new FakeConnection('unusable');
    unusable.usable = false;
    const busy = new FakeConnection('busy');
    busy.inFlight = 1;
    const kept = new FakeConnection('kept');
    const extra = new FakeConnection('extra');
    pool.put('k', lease(broken), true);
    pool.put('k', lease(unusable));
    pool.put('k', lease(busy));
    pool.put('k', lease(kept));
    pool.put('k', lease(extra));
    expect([broken, unusable, busy, kept, extra].map((c) => c.closed)).toEqual([1, 1, 1, 0, 1]);
    pool.put('other', lease(new FakeConnection('other key')));
    expect(pool.take('other')).toBeDefined();
  });

  it('closeKey closes only that key (a mailbox that is done); closeAll closes the rest and everything given back later', async () => {
    const pool = new IdlePool<FakeConnection>(4);
    const a = new FakeConnection('a');
    const b = new FakeConnection('b');
    pool.put('a', lease(a));
    pool.put('b', lease(b));
    await pool.closeKey('a');
    expect([a.closed, b.closed]).toEqual([1, 0]);
    expect(pool.take('a')).toBeUndefined();
    await pool.closeAll();
    expect(b.closed).toBe(1);
    const late = new FakeConnection('late');
    pool.put('b', lease(late));
    expect(late.closed).toBe(1);
    // Timers were cleared: nothing is closed twice.
    vi.advanceTimersByTime(IDLE_CLOSE_MS);
    expect([a.closed, b.closed]).toEqual([1, 1]);
  });
});

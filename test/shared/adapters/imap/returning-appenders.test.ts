import { describe, expect, it } from 'vitest';
import { ReturningAppenders } from '../../../../shared/adapters/imap/returning-appenders.js';

const conn = (): { usable: boolean; inFlight: number; close: () => Promise<void> } => ({ usable: true, inFlight: 0, close: () => Promise.resolve() });
const lease = <T>(item: T): { item: T; expiresOnMs: number } => ({ item, expiresOnMs: Date.now() + 3_600_000 });

describe('ReturningAppenders: who waits for an APPEND pipeline said to come back soon', () => {
  it('one waiter per pipeline announced; the next one given back goes to the first waiter', async () => {
    const r = new ReturningAppenders<ReturnType<typeof conn>>();
    const a = conn();
    expect(r.take('k')).toBeUndefined();
    r.announce('k', a);
    const waiting = r.take('k');
    expect(waiting).toBeDefined();
    // Only one announced: a second taker does not wait.
    expect(r.take('k')).toBeUndefined();
    expect(r.back('k', lease(a), false)).toBe(true);
    expect((await waiting)?.item).toBe(a);
    // Given back with nobody waiting: the caller pools it.
    expect(r.back('k', lease(a), false)).toBe(false);
  });

  it('a pipeline given back broken, busy, or about to expire wakes its waiter with nothing', async () => {
    const r = new ReturningAppenders<ReturnType<typeof conn>>();
    for (const [name, item, expires] of [
      ['broken', conn(), 3_600_000],
      ['busy', { ...conn(), inFlight: 1 }, 3_600_000],
      ['expiring', conn(), 60_000],
    ] as const) {
      r.announce('k', item);
      const waiting = r.take('k')!;
      expect(r.back('k', { item, expiresOnMs: Date.now() + expires }, name === 'broken'), name).toBe(false);
      expect(await waiting, name).toBeUndefined();
    }
  });

  it('a waiter gives up after its limit and opens its own; the pipeline then coming back is pooled', async () => {
    const r = new ReturningAppenders<ReturnType<typeof conn>>();
    const a = conn();
    r.announce('k', a);
    const t = Date.now();
    expect(await r.take('k', 50)).toBeUndefined();
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
    expect(r.back('k', lease(a), false)).toBe(false);
  });
});

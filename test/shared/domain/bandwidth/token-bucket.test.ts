import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../../shared/domain/bandwidth/token-bucket.js';
import { Bandwidth } from '../../../../shared/engine/bandwidth.js';

describe('token bucket', () => {
  it('lets the burst through at once, then paces takers to the rate, queueing them behind the debt', () => {
    let t = 0;
    const b = new TokenBucket(1000, 500, () => t);
    expect(b.reserve(500)).toBe(0);
    expect(b.reserve(250)).toBe(250);
    expect(b.reserve(250)).toBe(500); // behind the first taker's debt
    t = 500;
    expect(b.reserve(0)).toBe(0);
  });

  it('a message larger than the burst waits its own time instead of never passing', () => {
    let t = 0;
    const b = new TokenBucket(1000, 100, () => t);
    expect(b.reserve(2100)).toBe(2000);
    t = 10_000;
    expect(b.reserve(100)).toBe(0); // refilled to the burst, no more
    expect(b.reserve(100)).toBe(100);
  });
});

describe('Bandwidth', () => {
  /** A fake clock that sleeping moves forward: the bytes a run let through over the time it took. */
  function paced(batch: number) {
    let t = 0;
    const slept: number[] = [];
    const bw = new Bandwidth(batch, () => t, (ms) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    });
    return { bw, now: () => t, slept };
  }

  it('a mailbox cap is shared by all the mailbox\'s takers; other mailboxes have their own', async () => {
    const { bw, now } = paced(0);
    // Three "connections" of one mailbox, 100 chunks of 10 KB each, at 100 KB/s: about 30 s.
    await Promise.all([0, 1, 2].map(async () => {
      for (let i = 0; i < 100; i++) await bw.consume('a', 100_000, 10_000);
    }));
    expect(now()).toBeGreaterThanOrEqual(((3_000_000 - 25_000) / 100_000) * 1000);
    expect(now()).toBeLessThan(31_000);
  });

  it('the batch cap holds across mailboxes; no cap never waits', async () => {
    const { bw, now } = paced(200_000);
    await Promise.all(['a', 'b', 'c', 'd'].map(async (m) => {
      for (let i = 0; i < 50; i++) await bw.consume(m, undefined, 10_000);
    }));
    expect(now()).toBeGreaterThanOrEqual(((2_000_000 - 50_000) / 200_000) * 1000);
    const free = paced(0);
    await free.bw.consume('a', undefined, 10_000_000);
    expect(free.slept).toEqual([]);
  });
});

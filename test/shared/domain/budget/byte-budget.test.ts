import { describe, expect, it } from 'vitest';
import { grantBytes } from '../../../../shared/domain/budget/byte-budget.js';

const limits = { bytesPerWindow: 1000, windowMs: 60_000 };
const t0 = Date.parse('2026-12-05T00:00:00.000Z');

describe('daily byte budget', () => {
  it('without a budget every message is granted and no window is opened', () => {
    expect(grantBytes(undefined, [5000, 5000], { bytesPerWindow: 0, windowMs: 60_000 }, t0)).toEqual({ take: 2, window: undefined });
  });

  it('the first byte spent opens the window; messages that fit are all granted', () => {
    expect(grantBytes(undefined, [400, 500], limits, t0)).toEqual({ take: 2, window: { startedAt: '2026-12-05T00:00:00.000Z', bytes: 900 } });
  });

  it('stops before the message that would exceed the budget and says when the window ends', () => {
    const g = grantBytes({ startedAt: '2026-12-05T00:00:00.000Z', bytes: 300 }, [300, 300, 300], limits, t0 + 10_000);
    expect(g).toEqual({ take: 2, window: { startedAt: '2026-12-05T00:00:00.000Z', bytes: 900 }, resumesAt: '2026-12-05T00:01:00.000Z' });
  });

  it('a spent window grants nothing until it ends, and leaves the record as it was', () => {
    const w = { startedAt: '2026-12-05T00:00:00.000Z', bytes: 1000 };
    expect(grantBytes(w, [1], limits, t0 + 59_999)).toEqual({ take: 0, window: w, resumesAt: '2026-12-05T00:01:00.000Z' });
  });

  it('once the window has ended a new one starts at the first byte spent, with the whole budget', () => {
    const g = grantBytes({ startedAt: '2026-12-05T00:00:00.000Z', bytes: 1000 }, [600, 600], limits, t0 + 90_000);
    expect(g).toEqual({ take: 1, window: { startedAt: '2026-12-05T00:01:30.000Z', bytes: 600 }, resumesAt: '2026-12-05T00:02:30.000Z' });
  });

  it('a message larger than the whole budget is granted alone at the start of a window, never refused for ever', () => {
    expect(grantBytes(undefined, [5000, 10], limits, t0)).toEqual({ take: 1, window: { startedAt: '2026-12-05T00:00:00.000Z', bytes: 5000 }, resumesAt: '2026-12-05T00:01:00.000Z' });
    // Not in a window already begun: it waits for the next one.
    expect(grantBytes({ startedAt: '2026-12-05T00:00:00.000Z', bytes: 1 }, [5000], limits, t0 + 1).take).toBe(0);
  });
});

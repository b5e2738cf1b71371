import { describe, expect, it } from 'vitest';
import { extraLanesWanted, LANE_MIN_BYTES, MAX_LANES, settledPrefix, splitLanes, type LaneSpan } from '../../../../shared/engine/copy-range/range-lanes.js';

const MB = 1024 * 1024;
const msgs = (...sizes: number[]): { uid: number; size: number }[] => sizes.map((size, i) => ({ uid: i + 1, size }));
const span = (before: number, last: number, done: number): LaneSpan => ({ before, last, done: () => done });

describe('splitLanes', () => {
  it('cuts into consecutive runs of about equal bytes, in UID order, every message once', () => {
    const m = msgs(...Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 3 : 1) * 1000));
    const runs = splitLanes(m, 3);
    expect(runs).toHaveLength(3);
    expect(runs.flat()).toEqual(m);
    const bytes = runs.map((r) => r.reduce((n, x) => n + x.size, 0));
    const total = bytes.reduce((a, b) => a + b, 0);
    for (const b of bytes) expect(Math.abs(b - total / 3)).toBeLessThanOrEqual(3000);
  });

  it('never makes an empty run: fewer runs than lanes when there are fewer messages', () => {
    expect(splitLanes(msgs(5, 5), 4)).toEqual([[{ uid: 1, size: 5 }], [{ uid: 2, size: 5 }]]);
    expect(splitLanes(msgs(), 3)).toEqual([[]]);
    // One huge message first: the rest still spread, one at least each.
    const runs = splitLanes(msgs(100 * MB, 1, 1, 1), 3);
    expect(runs.map((r) => r.map((x) => x.uid))).toEqual([[1], [2], [3, 4]]);
  });
});

describe('extraLanesWanted', () => {
  it('asks one lane per LANE_MIN_BYTES beyond the first, at most MAX_LANES in all, never more than messages', () => {
    expect(extraLanesWanted(msgs(LANE_MIN_BYTES - 1))).toBe(0);
    expect(extraLanesWanted(msgs(LANE_MIN_BYTES, LANE_MIN_BYTES))).toBe(1);
    expect(extraLanesWanted(msgs(...Array.from({ length: 100 }, () => LANE_MIN_BYTES)))).toBe(MAX_LANES - 1);
    expect(extraLanesWanted(msgs(10 * LANE_MIN_BYTES, 10 * LANE_MIN_BYTES))).toBe(1);
  });
});

describe('settledPrefix', () => {
  it('is the first unfinished lane\'s progress: later lanes\' settled messages do not count', () => {
    // Lanes over 1-10, 11-20, 21-30: the first settled to 4, the others all.
    expect(settledPrefix([span(0, 10, 4), span(10, 20, 20), span(20, 30, 30)])).toBe(4);
  });

  it('moves into the next lane once a lane is wholly settled', () => {
    expect(settledPrefix([span(0, 10, 10), span(10, 20, 13), span(20, 30, 30)])).toBe(13);
    expect(settledPrefix([span(0, 10, 10), span(10, 20, 20), span(20, 30, 30)])).toBe(30);
  });

  it('counts a lane that never got its queue as settled up to the UID before it', () => {
    expect(settledPrefix([span(0, 10, 10), span(10, 20, 0), span(20, 30, 25)])).toBe(10);
    expect(settledPrefix([span(4, 10, 0)])).toBe(4);
  });
});

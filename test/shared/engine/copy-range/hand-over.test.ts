import { describe, expect, it } from 'vitest';
import { HAND_OVER_MAX_BYTES, handsOverWhenRead } from '../../../../shared/engine/copy-range/hand-over.js';
import { LANE_MIN_BYTES, extraLanesWanted } from '../../../../shared/engine/copy-range/range-lanes.js';

const sizes = (...n: number[]): { size: number }[] => n.map((size) => ({ size }));

describe('handsOverWhenRead', () => {
  it('hands a range over up to HAND_OVER_MAX_BYTES in all, not beyond', () => {
    expect(handsOverWhenRead([])).toBe(true);
    expect(handsOverWhenRead(sizes(HAND_OVER_MAX_BYTES))).toBe(true);
    expect(handsOverWhenRead(sizes(HAND_OVER_MAX_BYTES / 2, HAND_OVER_MAX_BYTES / 2))).toBe(true);
    expect(handsOverWhenRead(sizes(HAND_OVER_MAX_BYTES / 2, HAND_OVER_MAX_BYTES / 2, 1))).toBe(false);
    expect(handsOverWhenRead(sizes(HAND_OVER_MAX_BYTES + 1))).toBe(false);
  });

  it('never hands over a range large enough for lanes', () => {
    expect(HAND_OVER_MAX_BYTES).toBeLessThanOrEqual(LANE_MIN_BYTES);
    const laned = sizes(LANE_MIN_BYTES, LANE_MIN_BYTES);
    expect(extraLanesWanted(laned)).toBeGreaterThan(0);
    expect(handsOverWhenRead(laned)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { assignLanes } from '../../../../shared/domain/scheduling/folder-lanes.js';

describe('folder lanes of one mailbox', () => {
  it('a large folder gets a lane of its own; the small ones share the others, each lane in folder order', () => {
    expect(assignLanes([10, 5000, 10, 10, 10], 3)).toEqual([[1], [0, 3], [2, 4]]);
  });

  it('balances by messages, largest first (longest-processing-time)', () => {
    const lanes = assignLanes([700, 600, 500, 400, 300, 200], 2);
    const load = lanes.map((l) => l.reduce((s, i) => s + [700, 600, 500, 400, 300, 200][i]!, 0));
    expect(lanes.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(100);
  });

  it('one lane holds every folder in order; never more lanes than folders; empty folders still spread', () => {
    expect(assignLanes([3, 1, 2], 1)).toEqual([[0, 1, 2]]);
    expect(assignLanes([3, 1], 5)).toEqual([[0], [1]]);
    expect(assignLanes([0, 0, 0, 0], 2)).toEqual([[0, 2], [1, 3]]);
    expect(assignLanes([], 3)).toEqual([]);
  });
});

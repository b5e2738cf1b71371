import { describe, expect, it } from 'vitest';
import { planRanges, RangePlanner } from '../../../../shared/domain/ranges/range-planner.js';

const limits = { maxMessages: 3, maxBytes: 1000, maxMessageBytes: 5000 };

describe('range planner', () => {
  it('planRanges: cuts by count and covers UID gaps from afterUid+1', () => {
    const rows = [2, 5, 6, 9, 10, 11, 40].map((uid) => ({ uid, size: 10 }));
    expect(planRanges(rows, limits, 0)).toEqual([
      { fromUid: 1, toUid: 6, count: 3, bytes: 30 },
      { fromUid: 7, toUid: 11, count: 3, bytes: 30 },
      { fromUid: 12, toUid: 40, count: 1, bytes: 10 },
    ]);
  });

  it('planRanges: cuts by bytes; a message bigger than maxBytes gets a range of its own', () => {
    const rows = [{ uid: 1, size: 600 }, { uid: 2, size: 600 }, { uid: 3, size: 2000 }, { uid: 4, size: 10 }];
    const r = planRanges(rows, limits, 0);
    expect(r.map((x) => [x.fromUid, x.toUid])).toEqual([[1, 1], [2, 2], [3, 3], [4, 4]]);
  });

  it('planRanges: oversized messages (skipped later) weigh nothing', () => {
    const rows = [{ uid: 1, size: 900 }, { uid: 2, size: 9_000_000 }, { uid: 3, size: 50 }];
    expect(planRanges(rows, limits, 0)).toEqual([{ fromUid: 1, toUid: 3, count: 3, bytes: 950 }]);
  });

  it('planRanges: rows at or below afterUid are ignored', () => {
    expect(planRanges([{ uid: 3, size: 1 }, { uid: 8, size: 1 }], limits, 5)).toEqual([{ fromUid: 6, toUid: 8, count: 1, bytes: 1 }]);
  });

  it('RangePlanner: completed ranges are available before finish (paged planning)', () => {
    const p = new RangePlanner(limits, 0);
    for (let uid = 1; uid <= 7; uid++) p.add(uid, 1);
    expect(p.completed.length).toBe(2);
    expect(p.finish().length).toBe(3);
  });
});

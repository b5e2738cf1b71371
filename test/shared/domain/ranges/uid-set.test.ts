import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactUidSet, uidsOf } from '../../../../shared/domain/ranges/uid-set.js';

describe('compact uid-sets', () => {
  it('runs of consecutive UIDs become a:b, in ascending order, duplicates once', () => {
    expect(compactUidSet([10, 3, 5, 6, 7, 5])).toBe('3,5:7,10');
    expect(compactUidSet([])).toBe('');
  });

  it('a uid-set reads back as the UIDs it was made of', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 60 }), (uids) => {
        expect([...uidsOf(compactUidSet(uids))].sort((a, b) => a - b)).toEqual([...new Set(uids)].sort((a, b) => a - b));
      }),
    );
  });

  it('anything but a uid-set is refused', () => {
    expect(() => uidsOf('1:*')).toThrow(RangeError);
    expect(() => uidsOf('a')).toThrow(RangeError);
  });
});

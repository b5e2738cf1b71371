import { describe, expect, it } from 'vitest';
import { expandUidSet } from '../../../../shared/adapters/imap/uid-set.js';

describe('APPENDUID uid-set', () => {
  it('expands single UIDs, ranges and lists in the order the server gives them', () => {
    expect(expandUidSet('7')).toEqual([7]);
    expect(expandUidSet('2951:2954')).toEqual([2951, 2952, 2953, 2954]);
    expect(expandUidSet('3,5:6,9')).toEqual([3, 5, 6, 9]);
    expect(expandUidSet('6:5')).toEqual([5, 6]);
  });

  it('refuses what is not a uid-set, UID 0 and absurd sizes (the caller then records no UIDs)', () => {
    for (const bad of ['', '*', '1:*', 'a', '1,,2', '0', '0:3', '1 2']) expect(expandUidSet(bad), bad).toBeUndefined();
    expect(expandUidSet('1:1000000')).toBeUndefined();
  });
});

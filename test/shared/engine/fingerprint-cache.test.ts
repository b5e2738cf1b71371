import { describe, expect, it } from 'vitest';
import { FingerprintCache } from '../../../shared/engine/fingerprint-cache.js';

describe('FingerprintCache', () => {
  it('keeps fingerprints by folder and UID, and gives an unknown folder an empty map', () => {
    const c = new FingerprintCache(10);
    c.add('a', 1, 'x');
    c.add('a', 2, 'y');
    c.add('a', 2, 'changed'); // a UID names one message: the first fingerprint stands
    expect([...c.folder('a')]).toEqual([[1, 'x'], [2, 'y']]);
    expect(c.folder('b').size).toBe(0);
    expect(c.entries).toBe(2);
  });

  it('drops the least recently used folders first when full, never the one being added to', () => {
    const c = new FingerprintCache(4);
    c.add('old', 1, 'o1');
    c.add('old', 2, 'o2');
    c.add('mid', 1, 'm1');
    c.folder('old'); // now "mid" is the least recently used
    c.add('mid', 2, 'm2');
    c.add('new', 1, 'n1');
    expect(c.folder('mid').size).toBe(0);
    expect([...c.folder('old').keys()]).toEqual([1, 2]);
    expect([...c.folder('new').keys()]).toEqual([1]);
    expect(c.entries).toBe(3);
  });

  it('stops caching a folder that alone fills the bound', () => {
    const c = new FingerprintCache(3);
    for (let uid = 1; uid <= 5; uid++) c.add('big', uid, `f${uid}`);
    expect([...c.folder('big').keys()]).toEqual([1, 2, 3]);
    expect(c.entries).toBe(3);
  });
});

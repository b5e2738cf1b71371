import { describe, expect, it } from 'vitest';
import { emptyCheckpoint, type FolderCheckpoint } from '../../../../shared/domain/checkpoints/folder-checkpoint.js';
import { coverageHolds, isCovered, plannedAfter, recordCoverage } from '../../../../shared/domain/checkpoints/window-coverage.js';

const day = (d: string): string => `${d}T12:00:00.000Z`;
const fresh = (): FolderCheckpoint => emptyCheckpoint('INBOX', 'INBOX', '1', '2026-01-01T00:00:00Z');
/** What a range does on completion: coverage first, then the high-water mark. */
const settle = (cp: FolderCheckpoint, from: number, to: number, w: { since?: string; before?: string }): void => {
  recordCoverage(cp, from, to, w);
  cp.lastUid = Math.max(cp.lastUid, to);
};

describe('window coverage of the ledger', () => {
  it('without windows the ledger reads as before: every UID up to lastUid is done for all dates', () => {
    const cp = fresh();
    settle(cp, 1, 50, {});
    expect(cp.coverage).toBeUndefined();
    expect(isCovered(cp, 50, day('1990-01-01'))).toBe(true);
    expect(isCovered(cp, 51, day('2024-01-01'))).toBe(false);
    expect(plannedAfter(cp, { since: '2024-01-01' })).toBe(50);
  });

  it('UIDs copied under a narrow window are done only for its dates: a wider window plans from UID 1 and finds only the rest', () => {
    const cp = fresh();
    const summer = { since: '2023-06-01', before: '2023-09-01' };
    settle(cp, 1, 20, summer);
    expect(isCovered(cp, 5, day('2023-07-01'))).toBe(true);
    expect(isCovered(cp, 5, day('2023-01-01'))).toBe(false);
    // A narrower or equal window: nothing below lastUid to copy.
    expect(coverageHolds(cp, { since: '2023-07-01', before: '2023-08-01' })).toBe(true);
    expect(plannedAfter(cp, { since: '2023-01-01' })).toBe(0);
    // Then a delta under the narrow window adds UIDs 21..30 for it, and a wider pass settles 1..30.
    settle(cp, 21, 30, summer);
    expect(cp.coverage).toEqual([{ toUid: 30, windows: [summer] }]);
    settle(cp, 1, 30, { since: '2023-01-01' });
    expect(cp.coverage).toEqual([{ toUid: 30, windows: [{ since: '2023-01-01' }] }]);
    expect(isCovered(cp, 10, day('2022-12-31'))).toBe(false);
    // All dates at last: the bands are dropped.
    settle(cp, 1, 40, {});
    expect(cp.coverage).toBeUndefined();
    expect(cp.lastUid).toBe(40);
  });

  it('bands split where a range begins and ends: a wide pass interrupted half-way leaves the upper half to copy', () => {
    const cp = fresh();
    settle(cp, 1, 30, { before: '2020-01-01' });
    settle(cp, 1, 10, {}); // the wide pass settled UIDs 1..10, then was interrupted
    expect(cp.coverage).toEqual([{ toUid: 10, windows: [{}] }, { toUid: 30, windows: [{ before: '2020-01-01' }] }]);
    expect(plannedAfter(cp, {})).toBe(10);
    expect(isCovered(cp, 20, day('2019-05-05'))).toBe(true);
    expect(isCovered(cp, 20, day('2021-05-05'))).toBe(false);
  });

  it('disjoint windows add up in a band: both are done', () => {
    const cp = fresh();
    settle(cp, 1, 10, { before: '2020-01-01' });
    settle(cp, 1, 10, { since: '2022-01-01' });
    expect(isCovered(cp, 3, day('2019-01-01'))).toBe(true);
    expect(isCovered(cp, 3, day('2023-01-01'))).toBe(true);
    expect(isCovered(cp, 3, day('2021-01-01'))).toBe(false);
    expect(plannedAfter(cp, { since: '2021-01-01', before: '2021-06-01' })).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { byteBudgetCheck } from '../../../../shared/engine/preflight/byte-budget-check.js';
import type { PreflightStats } from '../../../../shared/engine/preflight/types.js';

const stats = (bytes: number): PreflightStats => ({ folders: 3, messages: 100, bytes, largestMessageBytes: 1, overLimit: [], overLimitCount: 0 }) as PreflightStats;

describe('preflight: byte budget', () => {
  it('says how many windows the mailbox needs and how long it will pause at least; nothing without a budget', () => {
    expect(byteBudgetCheck(undefined, 86_400_000, stats(10 ** 10))).toEqual([]);
    expect(byteBudgetCheck(0, 86_400_000, stats(10 ** 10))).toEqual([]);
    const [c] = byteBudgetCheck(2_400_000_000, 86_400_000, stats(10_000_000_000));
    expect(c).toMatchObject({ id: 'byte-budget', side: 'source', status: 'pass' });
    expect(c!.detail).toMatch(/^byte budget .+ a day: .+ need 5 windows: the mailbox pauses 4 time\(s\), at least 4\.0 days in all$/);
    expect(byteBudgetCheck(2_400_000_000, 86_400_000, stats(1_000_000))[0]!.detail).toMatch(/no pause expected$/);
  });
});

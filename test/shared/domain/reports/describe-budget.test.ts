import { describe, expect, it } from 'vitest';
import { describeBudget } from '../../../../shared/domain/reports/describe-budget.js';

describe('describeBudget', () => {
  it('says the budget, and when the mailbox resumed after each pause', () => {
    expect(describeBudget({ bytesPerWindow: 2_400_000_000, windowSeconds: 86_400, resumedAt: [] })).toBe('byte budget 2.24 GB a day: not reached');
    expect(describeBudget({ bytesPerWindow: 204_800, windowSeconds: 3, resumedAt: ['2026-12-05T00:00:03.000Z', '2026-12-05T00:00:06.500Z'] })).toBe(
      'byte budget 200.0 KB per 3 s: paused by it 2 time(s), resumed at 2026-12-05T00:00:03.000Z, 2026-12-05T00:00:06.500Z (UTC)',
    );
  });
});

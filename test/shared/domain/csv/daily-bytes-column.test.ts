import { describe, expect, it } from 'vitest';
import { parseMailboxCsv } from '../../../../shared/domain/csv/parse-mailbox-csv.js';
import { budgetLimits } from '../../../../shared/engine/spend-budget.js';
import { loadSettings } from '../../../../shared/config/settings.js';
import { VALID_SETTINGS } from '../../../support/valid-settings.js';

describe('DailyBytes column', () => {
  it('takes a whole number of bytes (0: no budget for that row); a bad value names the row and column', () => {
    const ok = parseMailboxCsv('Email,DailyBytes\na@contoso.com,2400000000\nb@contoso.com,0\nc@contoso.com,\n');
    expect(ok.ok && ok.rows.map((r) => r.controls?.dailyBytes)).toEqual([2_400_000_000, 0, undefined]);
    const bad = parseMailboxCsv('Email,DailyBytes\na@contoso.com,2.5GB\n');
    expect(!bad.ok && bad.problems.map((p) => [p.line, p.field, p.message])).toEqual([[2, 'DailyBytes', 'DailyBytes must be 0 (no budget) or a whole number of bytes']]);
  });

  it('a row\'s value replaces the batch\'s DAILY_BYTES_PER_MAILBOX, its 0 lifts it, an empty cell keeps it', () => {
    const deps = { settings: loadSettings({ ...VALID_SETTINGS, DAILY_BYTES_PER_MAILBOX: '1000', BUDGET_WINDOW_SECONDS: '60' }) };
    expect(budgetLimits(deps, {})).toEqual({ bytesPerWindow: 1000, windowMs: 60_000 });
    expect(budgetLimits(deps, { controls: { dailyBytes: 5000 } }).bytesPerWindow).toBe(5000);
    expect(budgetLimits(deps, { controls: { dailyBytes: 0 } }).bytesPerWindow).toBe(0);
  });
});

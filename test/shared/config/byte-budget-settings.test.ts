import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../../shared/config/settings.js';
import { VALID_SETTINGS } from '../../support/valid-settings.js';

describe('byte budget settings', () => {
  it('unset: no budget, a day\'s window; set: the batch\'s bytes per window (a control) and the window in ms', () => {
    const unset = loadSettings(VALID_SETTINGS);
    expect([unset.controls.dailyBytes, unset.budgetWindowMs]).toEqual([undefined, 86_400_000]);
    const set = loadSettings({ ...VALID_SETTINGS, DAILY_BYTES_PER_MAILBOX: '2400000000', BUDGET_WINDOW_SECONDS: '5' });
    expect([set.controls.dailyBytes, set.budgetWindowMs]).toEqual([2_400_000_000, 5000]);
  });

  it('bad values are named by key in the one settings error, without echoing them', () => {
    let err: unknown;
    try {
      loadSettings({ ...VALID_SETTINGS, DAILY_BYTES_PER_MAILBOX: '2.5GB-secret', BUDGET_WINDOW_SECONDS: '0' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SettingsError);
    const problems = (err as SettingsError).problems.join('\n');
    expect(problems).toContain('DAILY_BYTES_PER_MAILBOX must be 0 (no budget) or a whole number of bytes');
    expect(problems).toContain('BUDGET_WINDOW_SECONDS must be a whole number from 1');
    expect(problems).not.toContain('secret');
  });
});

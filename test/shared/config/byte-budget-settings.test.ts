import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../../shared/config/settings.js';
import { VALID_SETTINGS } from '../../support/valid-settings.js';

describe('byte budget settings', () => {
  it('unset: no budget, a day\'s window; set: bytes per window and the window in ms', () => {
    expect(loadSettings(VALID_SETTINGS).byteBudget).toEqual({ bytesPerWindow: 0, windowMs: 86_400_000 });
    expect(loadSettings({ ...VALID_SETTINGS, DAILY_BYTES_PER_MAILBOX: '2400000000', BUDGET_WINDOW_SECONDS: '5' }).byteBudget).toEqual({ bytesPerWindow: 2_400_000_000, windowMs: 5000 });
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
    expect(problems).toContain('DAILY_BYTES_PER_MAILBOX must be a whole number from 0');
    expect(problems).toContain('BUDGET_WINDOW_SECONDS must be a whole number from 1');
    expect(problems).not.toContain('secret');
  });
});

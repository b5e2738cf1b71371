import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../../shared/config/settings.js';
import { VALID_SETTINGS } from '../../support/valid-settings.js';

describe('control settings', () => {
  it('INCLUDE_FOLDERS, EXCLUDE_FOLDERS, MESSAGES_SINCE and MESSAGES_BEFORE become the batch controls', () => {
    const s = loadSettings({ ...VALID_SETTINGS, EXCLUDE_FOLDERS: 'Junk Email; Sync Issues*', MESSAGES_SINCE: '2024-01-01', MESSAGES_BEFORE: '2025-01-01' });
    expect(s.controls).toEqual({ excludeFolders: ['Junk Email', 'Sync Issues*'], since: '2024-01-01', before: '2025-01-01' });
    expect(loadSettings(VALID_SETTINGS).controls).toEqual({});
  });

  it('bad values are named by key in the one settings error, without echoing them', () => {
    let err: unknown;
    try {
      loadSettings({ ...VALID_SETTINGS, INCLUDE_FOLDERS: '\\Hunter2', MESSAGES_SINCE: '2024-02-30', MESSAGES_BEFORE: 'soon-secret' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SettingsError);
    const problems = (err as SettingsError).problems.join('\n');
    expect(problems).toContain('INCLUDE_FOLDERS');
    expect(problems).toContain('MESSAGES_SINCE is not a calendar date');
    expect(problems).toContain('MESSAGES_BEFORE must be a date');
    expect(problems).not.toContain('soon-secret');
    expect(problems).not.toContain('Hunter2');
  });
});

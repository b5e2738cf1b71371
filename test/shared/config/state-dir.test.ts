import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../shared/config/settings.js';
import { defaultStateDir } from '../../../shared/config/state-dir.js';
import { VALID_SETTINGS } from '../../support/valid-settings.js';

describe('the default STATE_DIR', () => {
  it('is the per-user state directory, never one relative to the current directory', () => {
    expect(defaultStateDir({ XDG_STATE_HOME: '/var/lib/alex/state' }, '/home/alex', 'linux')).toBe(join('/var/lib/alex/state', 'mailmig'));
    expect(defaultStateDir({}, '/home/alex', 'linux')).toBe(join('/home/alex', '.local', 'state', 'mailmig'));
    // A relative XDG_STATE_HOME is invalid (XDG Base Directory specification) and ignored.
    expect(defaultStateDir({ XDG_STATE_HOME: 'state' }, '/home/alex', 'linux')).toBe(join('/home/alex', '.local', 'state', 'mailmig'));
    expect(defaultStateDir({ LOCALAPPDATA: 'C:\\Users\\alex\\AppData\\Local' }, 'C:\\Users\\alex', 'win32')).toBe(join('C:\\Users\\alex\\AppData\\Local', 'mailmig', 'state'));
  });

  it('applies when STATE_DIR is unset or empty; a value given is kept as it is', () => {
    expect(isAbsolute(loadSettings(VALID_SETTINGS).stateDir)).toBe(true);
    expect(loadSettings({ ...VALID_SETTINGS, STATE_DIR: '' }).stateDir).toBe(defaultStateDir(process.env, homedir()));
    expect(loadSettings({ ...VALID_SETTINGS, STATE_DIR: '/srv/mailmig' }).stateDir).toBe('/srv/mailmig');
  });
});

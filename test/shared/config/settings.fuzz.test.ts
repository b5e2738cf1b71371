import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SETTING_KEYS } from '../../../shared/config/schema.js';
import { loadSettings, SettingsError, type SettingsSource } from '../../../shared/config/settings.js';
import { VALID_SETTINGS } from '../../support/valid-settings.js';

/**
 * Property-based fuzzing of loadSettings with random maps: it returns settings or throws ONE
 * SettingsError whose every problem names a key, and it never echoes a value (values can be
 * secrets pasted into the wrong key).
 */

const valid: Record<string, string> = { ...VALID_SETTINGS };

/** A value nobody could mistake for schema vocabulary: if it shows up in a message, it was echoed. */
const marked = fc.string({ minLength: 1, maxLength: 30 }).map((s) => `Zx${s}Qk`);
/** Values that reach the parsers' edge cases: numbers, URLs, blanks, odd unicode. */
const edgy = fc.oneof(
  fc.constantFrom('', ' ', '0', '1', '-1', '65536', '1e3', '0x10', '993 ', 'implicit', 'password', 'oauth2-app', 'auto', 'http://x', 'https://', 'https://a.example/path', '{mailbox}', '\u0000', 'ı'),
  fc.string({ maxLength: 20 }),
  fc.integer().map(String),
);
const value = fc.oneof(marked, edgy);
const key = fc.oneof(fc.constantFrom(...SETTING_KEYS), fc.constantFrom('__proto__', 'constructor', 'toString', 'SOURCE_', 'source_imap_host'), fc.string({ maxLength: 12 }));

/** Calls loadSettings; anything thrown that is not a SettingsError fails the property. */
function attempt(env: SettingsSource): SettingsError | undefined {
  try {
    loadSettings(env);
    return undefined;
  } catch (e) {
    if (e instanceof SettingsError) return e;
    throw new Error(`loadSettings threw ${e instanceof Error ? e.name : typeof e}: ${String(e)}`, { cause: e });
  }
}

function expectWellFormed(err: SettingsError | undefined, env: Record<string, string>): void {
  if (!err) return;
  expect(err.problems.length).toBeGreaterThan(0);
  for (const p of err.problems) expect(SETTING_KEYS.some((k) => p.includes(k)), p).toBe(true);
  for (const v of Object.values(env)) {
    if (v.startsWith('Zx')) expect(err.message.includes(v) || err.message.toLowerCase().includes(v.toLowerCase()), `echoed ${JSON.stringify(v)}`).toBe(false);
  }
}

describe('fuzz: loadSettings', () => {
  it('random maps: returns settings or throws a SettingsError whose problems each name a key and echo no value', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 30 }), (env) => {
        expectWellFormed(attempt(env), env);
      }),
      { numRuns: 1500 },
    );
  });

  it('a valid set with random keys overwritten: same contract, and only the overwritten keys can be named', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...SETTING_KEYS), value, { minKeys: 1, maxKeys: 8 }), (changes) => {
        const env = { ...valid, ...changes };
        const err = attempt(env);
        expectWellFormed(err, env);
        // A problem may name a key that was not touched only when it depends on one that was
        // (auth kind needs its secret keys, a host decides the server kind ...): check the
        // simple case, where no changed key touches a side or the vault.
        if (err && Object.keys(changes).every((k) => /^(MAX_|RANGE_|DELTA_|AUTH_PROP)/.test(k))) {
          for (const p of err.problems) expect(Object.keys(changes).some((k) => p.includes(k)), p).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });
});

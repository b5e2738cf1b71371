import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOST_LOCAL_KEYS, SETTING_KEYS } from '../../../shared/config/schema.js';
import { loadSettings, SettingsError } from '../../../shared/config/settings.js';
import { VALID_SETTINGS } from '../../support/valid-settings.js';

const good: Record<string, string> = { ...VALID_SETTINGS };

function problems(env: Record<string, string>): string[] {
  try {
    loadSettings(env);
  } catch (e) {
    if (e instanceof SettingsError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('settings', () => {
  it('loadSettings: a complete set -> typed settings with defaults', () => {
    const s = loadSettings(good);
    expect(s.source.port).toBe(993);
    expect(s.source.tls).toBe('implicit');
    expect(s.source.serverKind).toBe('exchange');
    expect(s.destination.serverKind).toBe('generic');
    expect(s.source.authorityHost).toBe('https://login.microsoftonline.com');
    expect(s.rangeMaxMessages).toBe(500);
  });

  it('loadSettings: every bad or missing key is listed in one error, no value echoed', () => {
    const env = { ...good, SOURCE_IMAP_PORT: 'seventy-secret', SOURCE_IMAP_TLS: 'none-hunter2', KEY_VAULT_URL: 'http://plain-hunter2.example', SOURCE_CLIENT_ID: '', RANGE_MAX_MESSAGES: '0', DESTINATION_PASSWORD_SECRET_TEMPLATE: 'no-placeholder' };
    let err: SettingsError | undefined;
    try {
      loadSettings(env);
    } catch (e) {
      err = e as SettingsError;
    }
    expect(err).toBeInstanceOf(SettingsError);
    const keys = ['SOURCE_IMAP_PORT', 'SOURCE_IMAP_TLS', 'KEY_VAULT_URL', 'SOURCE_CLIENT_ID', 'RANGE_MAX_MESSAGES', 'DESTINATION_PASSWORD_SECRET_TEMPLATE'];
    for (const k of keys) expect(err!.message).toContain(k);
    expect(err!.problems.length).toBe(keys.length);
    expect(err!.message).not.toMatch(/seventy|hunter2|no-placeholder/);
  });

  it('loadSettings: nothing set -> names the required keys', () => {
    const p = problems({}).join('\n');
    for (const k of ['SOURCE_IMAP_HOST', 'DESTINATION_IMAP_HOST', 'SOURCE_TENANT_ID', 'SOURCE_CLIENT_ID', 'KEY_VAULT_URL']) expect(p).toContain(k);
  });

  it('loadSettings: oauth2-app needs a secret or a certificate name', () => {
    const env = { ...good };
    delete env.SOURCE_CLIENT_SECRET_NAME;
    expect(problems(env).join()).toContain('SOURCE_CLIENT_SECRET_NAME or SOURCE_CLIENT_CERT_NAME');
    expect(problems({ ...env, SOURCE_CLIENT_CERT_NAME: 'source-cert' })).toEqual([]);
  });

  /** The settings with LOCAL_SECRETS_FILE instead of KEY_VAULT_URL, the file holding `content` (or absent). */
  const withSecretsFile = (content: string | undefined): Record<string, string> => {
    const path = join(mkdtempSync(join(tmpdir(), 'mailmig-secrets-')), 'secrets.json');
    if (content !== undefined) writeFileSync(path, content);
    const env: Record<string, string> = { ...good, LOCAL_SECRETS_FILE: path };
    delete env.KEY_VAULT_URL;
    return env;
  };

  it('loadSettings: LOCAL_SECRETS_FILE stands in for KEY_VAULT_URL on a workstation', () => {
    expect(problems(withSecretsFile('{"source-secret": "s3cret"}'))).toEqual([]);
  });

  for (const [what, content, problem] of [
    ['a file that is not JSON', '{"source-secret": hunter2}', /^LOCAL_SECRETS_FILE is not valid JSON/],
    ['a JSON array', '["hunter2"]', /^LOCAL_SECRETS_FILE must be a JSON object of "name": "value" strings$/],
    ['a value that is not a string', '{"source-secret": {"v": "hunter2"}}', /^LOCAL_SECRETS_FILE must be a JSON object/],
    ['a missing file', undefined, /^LOCAL_SECRETS_FILE cannot be read \(no such file\)$/],
  ] as const) {
    it(`loadSettings: LOCAL_SECRETS_FILE holding ${what} is a settings problem naming the setting, never the content`, () => {
      const found = problems(withSecretsFile(content));
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(problem);
      expect(found.join()).not.toContain('hunter2');
    });
  }

  it('loadSettings: LOCAL_SECRETS_FILE is not read when KEY_VAULT_URL is set (it is ignored then)', () => {
    expect(problems({ ...withSecretsFile('not json'), KEY_VAULT_URL: good.KEY_VAULT_URL! })).toEqual([]);
  });

  it('local.settings.example.json holds exactly the schema keys (plus the host keys)', () => {
    const example = JSON.parse(readFileSync(new URL('../../../local.settings.example.json', import.meta.url), 'utf8')) as { Values: Record<string, string> };
    expect(Object.keys(example.Values).sort()).toEqual([...SETTING_KEYS, ...HOST_LOCAL_KEYS].sort());
  });
});

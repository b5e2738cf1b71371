import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getLab, labSettings } from '../../lab/lab-info.js';
import { runCli, workDir } from '../../support/run-cli.js';

describe('mailmig migrate with bad input starts nothing', () => {
  it('bad CSV: exit 2, every problem named by line and field, no state written', async () => {
    const w = workDir(labSettings(getLab(), { STORAGE_CONNECTION_STRING: '' }), 'SourceEmail;DestinationEmail\nok@contoso.example;ok@fabrikam.example\nnot-an-address;x@fabrikam.example\n\nok@contoso.example;other@fabrikam.example\nthree@contoso.example;\n');
    const r = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing was started');
    expect(r.stderr).toMatch(/line 3, field SourceEmail/);
    expect(r.stderr).toMatch(/line 5.*(duplicate|SourceEmail)/i);
    expect(r.stderr).toMatch(/line 6, field DestinationEmail/);
    expect(readdirSync(w.dir)).not.toContain('state');
  });

  it('bad settings: exit 2, one message naming every bad key, no value echoed', async () => {
    const settings = labSettings(getLab(), { SOURCE_IMAP_PORT: 'port-hunter2', DESTINATION_IMAP_TLS: 'plaintext-hunter2', KEY_VAULT_URL: 'http://vault-hunter2.example', SOURCE_TENANT_ID: '' });
    const w = workDir(settings, 'Email\nok@contoso.example\n');
    const r = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath]);
    expect(r.code).toBe(2);
    for (const k of ['SOURCE_IMAP_PORT', 'DESTINATION_IMAP_TLS', 'KEY_VAULT_URL', 'SOURCE_TENANT_ID']) expect(r.stderr).toContain(k);
    expect(r.stderr).not.toContain('hunter2');
    expect(readdirSync(w.dir)).not.toContain('state');
  });

  it('a malformed LOCAL_SECRETS_FILE is caught at the settings check: exit 2, the setting and the problem named, no content echoed', async () => {
    const w = workDir(labSettings(getLab(), { STORAGE_CONNECTION_STRING: '', KEY_VAULT_URL: '' }), 'Email\nok@contoso.example\n');
    const secretsPath = join(w.dir, 'secrets.json');
    writeFileSync(secretsPath, '{"source-secret": "hunter2",}');
    const r = await runCli(['migrate', '--csv', w.csvPath, '--settings', w.settingsPath], { LOCAL_SECRETS_FILE: secretsPath });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/LOCAL_SECRETS_FILE is not valid JSON/);
    expect(r.stderr).not.toContain('hunter2');
    expect(readdirSync(w.dir)).not.toContain('state');
  });

  it('a missing settings file is named, exit 2', async () => {
    const w = workDir({}, 'Email\nok@contoso.example\n');
    const r = await runCli(['migrate', '--csv', w.csvPath, '--settings', join(w.dir, 'nope.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.json does not exist');
  });
});

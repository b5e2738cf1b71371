import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workDir } from '../../support/run-cli.js';

// `mailmig prepare` as a user runs it (the built CLI; no server): the side's AUTH in the settings
// decides what is written. Needs `npm run build`.

const appId = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const objectId = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const CSV = "SourceEmail,DestinationEmail\r\nalice@contoso.com,alice@gmail-co.example\r\no'brien@contoso.com,obrien@gmail-co.example\r\n";
/** What only app-only Exchange emits. */
const APP_ONLY = ['New-ServicePrincipal', 'Add-MailboxPermission', 'FullAccess', 'IMAP.AccessAsApp'];

/** A delegated Exchange Online source and a Google Workspace destination (the other way round is the usual one; both sides are checked). */
const SETTINGS = {
  SOURCE_IMAP_HOST: 'outlook.office365.com',
  SOURCE_AUTH: 'oauth2-delegated',
  SOURCE_TENANT_ID: 'organizations',
  SOURCE_CLIENT_ID: appId,
  DESTINATION_IMAP_HOST: 'imap.gmail.com',
  DESTINATION_AUTH: 'google-service-account',
  DESTINATION_SERVICE_ACCOUNT_KEY_NAME: 'google-key',
  KEY_VAULT_URL: 'https://migr-vault.vault.azure.net',
  TOKEN_CACHE_KEY_NAME: 'token-cache-key',
  DASHBOARD_URL: 'https://mailmig-fn.azurewebsites.net/api/dashboard',
  ALL_MAIL_ARCHIVE_FOLDER: 'Gmail Archive',
};

describe('mailmig prepare', () => {
  it('an oauth2-delegated side: the script creates the token-cache key and enables IMAP, the checklist gives the consent steps and links; nothing app-only', async () => {
    const work = workDir(SETTINGS, CSV);
    const out = join(work.dir, 'prepare.ps1');
    const checklist = join(work.dir, 'checklist.md');
    const r = await runCli(['prepare', '--csv', work.csvPath, '--settings', work.settingsPath, '--side', 'source', '--out', out, '--checklist', checklist]);
    expect(r.code, r.stderr).toBe(0);
    const script = readFileSync(out, 'utf8');
    expect(script).toContain("$vaultName = 'migr-vault'");
    expect(script).toContain("$cacheKeyName = 'token-cache-key'");
    expect(script).toContain("    'o''brien@contoso.com'\n");
    expect(script).toContain('Set-CASMailbox -Identity $mailbox -ImapEnabled $true');
    const md = readFileSync(checklist, 'utf8');
    expect(md).toContain('`IMAP.AccessAsUser.All`');
    expect(md).toContain('`https://mailmig-fn.azurewebsites.net/api/consent/callback`');
    expect(md).toContain('https://mailmig-fn.azurewebsites.net/api/consent/start?side=source&mailbox=alice%40contoso.com&code=<httpConsentStart key>');
    expect(md).toContain('`mailmig login --csv <the CSV> --side source`');
    for (const word of APP_ONLY) expect(script + md).not.toContain(word);
    expect(r.stderr).toContain('then have each owner sign in');
  });

  it('a google-service-account side: the script stores the key under the configured secret and prints the delegation; no Exchange Online line', async () => {
    const work = workDir(SETTINGS, CSV);
    const checklist = join(work.dir, 'checklist.md');
    const r = await runCli(['prepare', '--csv', work.csvPath, '--settings', work.settingsPath, '--side', 'destination', '--checklist', checklist]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("$secretName = 'google-key'");
    expect(r.stdout).toContain("    'obrien@gmail-co.example'\n");
    expect(r.stdout).toContain("$scope = 'https://mail.google.com/'");
    for (const word of [...APP_ONLY, 'Connect-ExchangeOnline', 'Set-CASMailbox']) expect(r.stdout).not.toContain(word);
    const md = readFileSync(checklist, 'utf8');
    expect(md).toContain('`DESTINATION_SERVICE_ACCOUNT_KEY_NAME`');
    expect(md).toContain('``"Gmail Archive"`` (`ALL_MAIL_ARCHIVE_FOLDER`)');
  });

  it('an oauth2-app side from the settings takes the app id from its CLIENT_ID and writes the Exchange script; without settings it is app-only as before', async () => {
    const work = workDir({ ...SETTINGS, SOURCE_AUTH: 'oauth2-app', SOURCE_TENANT_ID: 'contoso.onmicrosoft.com', SOURCE_CLIENT_SECRET_NAME: 'source-secret' }, CSV);
    const withSettings = await runCli(['prepare', '--csv', work.csvPath, '--settings', work.settingsPath, '--object-id', objectId]);
    expect(withSettings.code, withSettings.stderr).toBe(0);
    expect(withSettings.stdout).toContain(`$appId = '${appId}'`);
    expect(withSettings.stdout).toContain('New-ServicePrincipal');
    const plain = await runCli(['prepare', '--csv', work.csvPath, '--app-id', appId, '--object-id', objectId]);
    expect(plain.stdout).toBe(withSettings.stdout);
    const missing = await runCli(['prepare', '--csv', work.csvPath, '--app-id', appId]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--object-id');
  });

  it('a value of the settings that could break out of the script is refused, nothing written', async () => {
    const work = workDir({ ...SETTINGS, TOKEN_CACHE_KEY_NAME: 'key', SOURCE_TENANT_ID: 'organizations' }, CSV);
    // Settings validation already refuses a bad secret name; a CSV address with "$" is prepare's to refuse.
    writeFileSync(work.csvPath, 'Email\r\na$b@contoso.com\r\n');
    const out = join(work.dir, 'prepare.ps1');
    const r = await runCli(['prepare', '--csv', work.csvPath, '--settings', work.settingsPath, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing was written');
    expect(() => readFileSync(out)).toThrow();
  });
});

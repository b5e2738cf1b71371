import { describe, expect, it } from 'vitest';
import { rejection } from './prepare-rejection.js';
import type { DelegatedPrepare, GooglePrepare } from '../../../../shared/domain/prepare/prepare-side.js';
import { renderDelegatedScript } from '../../../../shared/domain/prepare/render-delegated-script.js';
import { renderGoogleScript } from '../../../../shared/domain/prepare/render-google-script.js';
import { renderNonAppChecklist } from '../../../../shared/domain/prepare/render-non-app-checklist.js';
import { scanPowerShell } from './powershell-strings.js';

const clientId = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const mailboxes = ['alice@contoso.com', "o'brien@contoso.com", 'Alice@Contoso.com'];
const work: DelegatedPrepare = { auth: 'oauth2-delegated', side: 'source', clientId, tenantId: 'organizations', tokenCacheKeyName: 'token-cache-key', keyVaultName: 'migr-vault', appOrigin: 'https://mailmig-fn.azurewebsites.net', exchangeOnline: true };
const personal: DelegatedPrepare = { ...work, side: 'destination', tenantId: 'consumers', exchangeOnline: true };
const google: GooglePrepare = { auth: 'google-service-account', side: 'source', serviceAccountKeyName: 'google-key', tokenScope: 'https://mail.google.com/', keyVaultName: 'migr-vault' };

/** What app-only Exchange emits and no other way in may. */
const APP_ONLY = ['New-ServicePrincipal', 'Add-MailboxPermission', 'FullAccess', 'IMAP.AccessAsApp', 'Get-ServicePrincipal'];


/** Every value sits in a single-quoted literal: none in what PowerShell runs or expands. */
function expectOnlyLiterals(script: string, values: string[]): void {
  const scanned = scanPowerShell(script);
  expect(scanned.singleQuoted).toEqual(expect.arrayContaining(values));
  for (const value of values) {
    expect(scanned.code).not.toContain(value);
    for (const text of scanned.doubleQuoted) expect(text).not.toContain(value);
  }
}

describe('mailmig prepare for oauth2-delegated', () => {
  it('work or school in Exchange Online: the script creates the token-cache key and enables IMAP per mailbox, and grants nothing app-only', () => {
    const script = renderDelegatedScript(work, mailboxes, 'contoso.onmicrosoft.com');
    expect(script).toContain('Get-AzKeyVaultSecret -VaultName $vaultName -Name $cacheKeyName');
    expect(script).toContain('Set-AzKeyVaultSecret -VaultName $vaultName -Name $cacheKeyName');
    expect(script).toContain('Set-CASMailbox -Identity $mailbox -ImapEnabled $true');
    expect(script).toContain("Connect-ExchangeOnline -ShowBanner:$false -Organization 'contoso.onmicrosoft.com'");
    expect(script).toContain('mailmig login --csv <the CSV> --side $side');
    for (const word of APP_ONLY) expect(script).not.toContain(word);
    expectOnlyLiterals(script, ['alice@contoso.com', "o'brien@contoso.com", 'migr-vault', 'token-cache-key', 'contoso.onmicrosoft.com']);
    // The same address in another case is one mailbox; the quote in o'brien is doubled.
    expect(scanPowerShell(script).singleQuoted.filter((s) => s.toLowerCase() === 'alice@contoso.com')).toEqual(['alice@contoso.com']);
    expect(script).toContain("'o''brien@contoso.com'");
  });

  it('personal accounts (consumers): no Exchange Online step at all, only the token-cache key', () => {
    const script = renderDelegatedScript(personal, mailboxes);
    expect(script).toContain('Set-AzKeyVaultSecret');
    for (const word of [...APP_ONLY, 'Connect-ExchangeOnline', 'Set-CASMailbox']) expect(script).not.toContain(word);
    expect(script).toContain('authority "consumers"');
  });

  it('the work checklist: public client, the consent callback, IMAP.AccessAsUser.All with offline_access, the authority, Conditional Access, the token-cache key, then login or one consent link per mailbox', () => {
    const md = renderNonAppChecklist(work, mailboxes);
    for (const text of [
      'SOURCE_AUTH=oauth2-delegated',
      '*Allow public client flows*: **Yes**',
      '`https://mailmig-fn.azurewebsites.net/api/consent/callback`',
      '`IMAP.AccessAsUser.All`',
      '`offline_access`',
      '`SOURCE_TENANT_ID` (now `organizations`)',
      'Conditional Access',
      'device code',
      '`TOKEN_CACHE_KEY_NAME` (now `token-cache-key`)',
      '`mailmig login --csv <the CSV> --side source`',
      "https://mailmig-fn.azurewebsites.net/api/consent/start?side=source&mailbox=o'brien%40contoso.com&code=<httpConsentStart key>",
      'Set-CASMailbox',
      `(now \`${clientId}\`)`,
    ]) expect(md).toContain(text);
    for (const word of APP_ONLY) expect(md).not.toContain(word);
    expect(md.match(/api\/consent\/start/g)).toHaveLength(2);
  });

  it('the personal-account checklist names the consumers authority and the account type, without admin consent, Conditional Access or an Exchange step', () => {
    const md = renderNonAppChecklist(personal, ['ann@outlook.com']);
    expect(md).toContain('`DESTINATION_TENANT_ID=consumers`');
    expect(md).toContain('personal Microsoft accounts');
    expect(md).toContain('--side destination');
    expect(md).toContain('There is no admin consent and no Conditional Access');
    for (const word of [...APP_ONLY, '**Conditional Access.**', 'Set-CASMailbox', 'Grant admin consent']) expect(md).not.toContain(word);
  });

  it('values that could break out of the script are refused before anything is written, each named', () => {
    const error = rejection(() => renderDelegatedScript({ ...work, tenantId: "x'; calc; '", tokenCacheKeyName: 'a$b', keyVaultName: 'v;' }, ['a$b@contoso.com']));
    expect(error.problems.map((p) => p.field).sort()).toEqual(['keyVault', 'mailboxes', 'secretName', 'tenant']);
  });
});

describe('mailmig prepare for google-service-account', () => {
  it('the script checks the key file, stores it whole under the configured secret, prints the client id and scope for the delegation, and touches nothing in Exchange Online', () => {
    const script = renderGoogleScript(google, mailboxes);
    expect(script.split('\n').find((l) => !l.startsWith('#') && l.trim() !== '')).toBe('param([Parameter(Mandatory = $true)][string]$KeyFile)');
    expect(script).toContain('$key.type -ne "service_account"');
    expect(script).toContain('Set-AzKeyVaultSecret -VaultName $vaultName -Name $secretName');
    expect(script).toContain('Client ID:    $($key.client_id)');
    expect(script).toContain('OAuth scopes: $scope');
    expect(script).toContain('End User Access: IMAP on');
    for (const word of [...APP_ONLY, 'Connect-ExchangeOnline', 'Set-CASMailbox']) expect(script).not.toContain(word);
    expectOnlyLiterals(script, ['google-key', 'https://mail.google.com/', 'migr-vault', 'alice@contoso.com', "o'brien@contoso.com"]);
  });

  it('with the gmail.imap_admin scope, IMAP need not be turned on for the users', () => {
    const scope = 'https://www.googleapis.com/auth/gmail.imap_admin';
    expect(renderGoogleScript({ ...google, tokenScope: scope }, mailboxes)).not.toContain('End User Access');
    expect(renderNonAppChecklist({ ...google, tokenScope: scope }, mailboxes)).toContain('Not needed: the `gmail.imap_admin` scope');
  });

  it('the checklist: service account and JSON key into Key Vault under the setting, domain-wide delegation with client_id and scope, IMAP, and All Mail to the archive folder', () => {
    const md = renderNonAppChecklist({ ...google, archiveFolder: 'Archived `Gmail`' }, mailboxes);
    for (const text of [
      'SOURCE_AUTH=google-service-account',
      'the secret `google-key` (`SOURCE_SERVICE_ACCOUNT_KEY_NAME`) in `migr-vault`',
      'Domain-wide delegation',
      '`client_id`, scope `https://mail.google.com/` (`SOURCE_TOKEN_SCOPE`',
      'gmail.imap_admin',
      'IMAP on for the users',
      '`SOURCE_IMAP_HOST=imap.gmail.com`',
      '`[Gmail]/All Mail`',
      '``"Archived `Gmail`"`` (`ALL_MAIL_ARCHIVE_FOLDER`)',
      '`archivedOnly`',
    ]) expect(md).toContain(text);
    for (const word of [...APP_ONLY, 'IMAP.AccessAsUser', 'Set-CASMailbox', 'Connect-ExchangeOnline']) expect(md).not.toContain(word);
    expect(renderNonAppChecklist(google, mailboxes)).toContain("the destination's Archive folder (`ALL_MAIL_ARCHIVE_FOLDER` unset)");
  });

  it('a scope or secret name that could break out of the script is refused', () => {
    const error = rejection(() => renderGoogleScript({ ...google, tokenScope: "https://mail.google.com/' ; calc", serviceAccountKeyName: 'key name' }, mailboxes));
    expect(error.problems.map((p) => p.field).sort()).toEqual(['scope', 'secretName']);
  });
});

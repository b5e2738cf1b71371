import { describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from '../../../../shared/config/settings.js';
import { compactMessage } from '../../../../shared/engine/preflight/checks.js';
import { DIAGNOSES, diagnose, type DiagnosisContext } from '../../../../shared/engine/preflight/diagnoses.js';
import { checkTokenClaims } from '../../../../shared/engine/preflight/token-claims.js';
import { registerSecret } from '../../../../shared/errors/redact.js';

/** Pure: settings shaped like a production deployment (Exchange Online source, Azure Key Vault). */
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const env = {
  SOURCE_IMAP_HOST: 'outlook.office365.com',
  SOURCE_TENANT_ID: TENANT,
  SOURCE_CLIENT_ID: CLIENT,
  SOURCE_CLIENT_SECRET_NAME: 'source-client-secret',
  DESTINATION_IMAP_HOST: 'outlook.office365.com',
  DESTINATION_TENANT_ID: TENANT,
  DESTINATION_CLIENT_ID: CLIENT,
  DESTINATION_CLIENT_CERT_NAME: 'destination-cert',
  KEY_VAULT_URL: 'https://contoso-mig.vault.azure.net',
  STORAGE_ACCOUNT_NAME: 'contosomig',
};
const settings: Settings = loadSettings(env);
const google = loadSettings({ ...env, SOURCE_IMAP_HOST: 'imap.gmail.com', SOURCE_AUTH: 'google-service-account', SOURCE_SERVICE_ACCOUNT_KEY_NAME: 'google-key' });
const ctx = (c: Partial<DiagnosisContext> & Pick<DiagnosisContext, 'check' | 'code'>): DiagnosisContext => ({ side: 'source', message: '', settings, mailbox: 'adele@contoso.com', secretName: 'source-client-secret', secretKind: 'client-secret', ...c });

/** One context per row of the table: each row is reachable, and decides what it claims to. */
const ROWS: [string, DiagnosisContext][] = [
  ['secret:SECRET_NOT_FOUND', ctx({ check: 'secret', code: 'SECRET_NOT_FOUND' })],
  ['secret:SECRET_ACCESS_DENIED', ctx({ check: 'secret', code: 'SECRET_ACCESS_DENIED' })],
  ['secret:KEY_VAULT_UNAVAILABLE', ctx({ check: 'secret', code: 'KEY_VAULT_UNAVAILABLE' })],
  ['secret:certificate not PEM', ctx({ check: 'secret', code: 'TOKEN_INVALID_CLIENT', message: 'certificate "destination-cert" must be a PEM bundle with a private key and a certificate', secretKind: 'certificate' })],
  ['secret:certificate expired', ctx({ check: 'secret', code: 'CERTIFICATE_EXPIRED', message: 'it was valid until 2024-01-01T00:00:00.000Z', secretKind: 'certificate' })],
  ['token:AADSTS7000215 wrong secret', ctx({ check: 'token', code: 'TOKEN_INVALID_CLIENT', message: 'token endpoint: AADSTS7000215: Invalid client secret provided.' })],
  ['token:AADSTS7000222 expired secret', ctx({ check: 'token', code: 'TOKEN_INVALID_CLIENT', message: 'token endpoint: AADSTS7000222: The provided client secret keys for app are expired.' })],
  ['token:AADSTS700027 certificate not registered', ctx({ check: 'token', code: 'TOKEN_INVALID_CLIENT', message: 'token endpoint: AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application.', secretKind: 'certificate' })],
  ['token:AADSTS700016 app not in tenant', ctx({ check: 'token', code: 'TOKEN_INVALID_CLIENT', message: "token endpoint: AADSTS700016: Application with identifier '…' was not found in the directory" })],
  ['token:AADSTS90002 tenant not found', ctx({ check: 'token', code: 'TOKEN_INVALID_CLIENT', message: "token endpoint: AADSTS90002: Tenant 'x' not found." })],
  ['token:AADSTS500011 resource not found', ctx({ check: 'token', code: 'INTERNAL', message: 'token endpoint: AADSTS500011: The resource principal named https://outlook.office365.us was not found in the tenant' })],
  ['token:invalid scope', ctx({ check: 'token', code: 'TOKEN_INVALID_CLIENT', message: 'token endpoint: invalid_scope: AADSTS1002012: The provided value for scope is not valid.' })],
  ['token:TOKEN_INVALID_CLIENT', ctx({ check: 'token', code: 'TOKEN_INVALID_CLIENT', message: 'token endpoint: unauthorized_client' })],
  ['token:TOKEN_THROTTLED', ctx({ check: 'token', code: 'TOKEN_THROTTLED' })],
  ['token:TOKEN_REQUEST_FAILED', ctx({ check: 'token', code: 'TOKEN_REQUEST_FAILED' })],
  ['token-claims:WRONG_AUDIENCE', ctx({ check: 'token-claims', code: 'WRONG_AUDIENCE' })],
  ['token-claims:MISSING_ROLE', ctx({ check: 'token-claims', code: 'MISSING_ROLE' })],
  ['token-claims:WRONG_TENANT', ctx({ check: 'token-claims', code: 'WRONG_TENANT' })],
  ['token-claims:WRONG_APP', ctx({ check: 'token-claims', code: 'WRONG_APP' })],
  ['login:password refused', ctx({ check: 'login', code: 'IMAP_AUTH_FAILED', settings: loadSettings({ ...env, SOURCE_AUTH: 'password', SOURCE_PASSWORD_SECRET_TEMPLATE: 'pw-{mailbox}' }), secretKind: 'password' })],
  ['login:token refused', ctx({ check: 'login', code: 'IMAP_AUTH_FAILED', tokenVerified: false })],
  ['login:IMAP_NOT_CONNECTED / NO with a valid token', ctx({ check: 'login', code: 'IMAP_NOT_CONNECTED', message: 'source IMAP: User is authenticated but not connected.', tokenVerified: true })],
  ['login:TLS', ctx({ check: 'login', code: 'IMAP_CONNECTION_FAILED', message: 'source IMAP: self-signed certificate in certificate chain' })],
  ['login:connection', ctx({ check: 'login', code: 'IMAP_TIMEOUT', message: 'source IMAP: connection timed out' })],
  ['IMAP_THROTTLED', ctx({ check: 'folders', code: 'IMAP_THROTTLED' })],
  ['IMAP_TOKEN_EXPIRED', ctx({ check: 'folders', code: 'IMAP_TOKEN_EXPIRED' })],
  ['message-size:MESSAGE_TOO_LARGE', ctx({ check: 'message-size', code: 'MESSAGE_TOO_LARGE', overLimitCount: 2, largestMessageBytes: 60 * 1048576 })],
  ['folder-names:FOLDER_NAME_REJECTED', ctx({ check: 'folder-names', code: 'FOLDER_NAME_REJECTED', subcodes: ['NAME_REJECTED'] })],
  ['folder-names:FOLDER_RENAMED', ctx({ check: 'folder-names', code: 'FOLDER_RENAMED', subcodes: ['RESERVED_NAME'] })],
  ['folders:FOLDER_NOT_FOUND', ctx({ check: 'folders', code: 'FOLDER_NOT_FOUND' })],
  ['google:delegation', ctx({ check: 'token', code: 'TOKEN_INVALID_CLIENT', settings: google, secretName: 'google-key', message: 'source token endpoint (Google): unauthorized_client (Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.)' })],
  ['google:key', ctx({ check: 'token', code: 'TOKEN_INVALID_CLIENT', settings: google, secretName: 'google-key', message: 'service account key "google-key" is not JSON' })],
  ['google:imap-off', ctx({ check: 'login', code: 'IMAP_AUTH_FAILED', settings: google, message: 'source IMAP: NO [ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access.' })],
  ['consent-needed', ctx({ check: 'token', code: 'CONSENT_NEEDED', message: 'consent needed for adele@contoso.com (source): the consent was revoked or has expired' })],
  ['google:unknown-user', ctx({ check: 'token', code: 'IMAP_AUTH_FAILED', settings: google, message: 'source token endpoint (Google): invalid_grant (Invalid email or User ID)' })],
];

describe('preflight diagnoses (pure)', () => {
  it.each(ROWS)('diagnose: row "%s" decides its own case', (key, c) => {
    const d = diagnose(c);
    expect(d.key).toBe(key);
    expect(d.cause.length).toBeGreaterThan(20);
    expect(d.fix.length).toBeGreaterThan(20);
  });

  it('diagnose: every row of the table has a case above', () => {
    expect(ROWS.map(([k]) => k).sort()).toEqual(DIAGNOSES.map((r) => r.key).sort());
  });

  it('diagnose: Azure vault names and the exact commands are filled in from the settings', () => {
    expect(diagnose(ROWS[0]![1]).fix).toContain("az keyvault secret set --vault-name contoso-mig --name source-client-secret --value '<client secret Value from the app registration>'");
    const role = diagnose(ctx({ check: 'token-claims', code: 'MISSING_ROLE', side: 'destination' }));
    expect(role.fix).toContain(`az ad app permission add --id ${CLIENT} --api 00000002-0000-0ff1-ce00-000000000000 --api-permissions 5e5addcd-3e8d-4e90-baf5-964efab2b20a=Role`);
    const grant = diagnose(ctx({ check: 'login', code: 'IMAP_AUTH_FAILED', mailbox: "o'brien@contoso.com", tokenVerified: true }));
    // Addresses are written as PowerShell single-quoted literals, quotes doubled.
    expect(grant.fix).toContain("Add-MailboxPermission -Identity 'o''brien@contoso.com' -User '<object id of the Enterprise Application>' -AccessRights FullAccess");
  });

  it('diagnose: a Google side gets Google\'s fixes (delegation with the scope, IMAP for the user), an Exchange side never does', () => {
    expect(diagnose(ROWS.find(([k]) => k === 'google:delegation')![1]).fix).toContain('Domain-wide delegation: Add new, client ID = the "client_id" of the key file stored as google-key, OAuth scopes = https://mail.google.com/');
    expect(diagnose(ROWS.find(([k]) => k === 'google:imap-off')![1]).fix).toContain('POP and IMAP access: enable IMAP');
    expect(diagnose(ctx({ check: 'token', code: 'TOKEN_INVALID_CLIENT', message: 'source token endpoint (Google): unauthorized_client' })).key).toBe('token:TOKEN_INVALID_CLIENT');
  });

  it('diagnose: an unknown failure still gets a cause that names it and a way forward', () => {
    const d = diagnose(ctx({ check: 'folders', code: 'INTERNAL', message: 'source IMAP: something new' }));
    expect(d.key).toBe('unknown');
    expect(d.cause).toContain('unexpected INTERNAL during the folders check (source): source IMAP: something new');
  });

  it('diagnose: a secret value that reaches a message is redacted from cause and fix', () => {
    registerSecret('Sup3r~SecretValue.42');
    const d = diagnose(ctx({ check: 'folders', code: 'INTERNAL', message: 'echoed Sup3r~SecretValue.42 and eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln' }));
    expect(d.cause).not.toContain('Sup3r~SecretValue.42');
    expect(d.cause).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  });

  it('compactMessage: keeps the AADSTS statement and correlation id of an MSAL error, drops the repetition', () => {
    const msal = "token endpoint: invalid_client: Error(s): 7000215 - Timestamp: 2026-11-23 06:26:15Z - Description: AADSTS7000215: Invalid client secret provided.\r\nTrace ID: b84ac44a-9838-4930-97c0-4bdd4198b2c2\r\nCorrelation ID: d366d91b-25b6-452e-9141-60cb5c40f060\r\nTimestamp: 2026-11-23 06:26:15Z - Correlation ID: d366d91b-25b6-452e-9141-60cb5c40f060 | Error(s): 7000215 - Description: AADSTS7000215: Invalid client secret provided.";
    expect(compactMessage(msal)).toBe('token endpoint: AADSTS7000215: Invalid client secret provided. (correlation id d366d91b-25b6-452e-9141-60cb5c40f060)');
    expect(compactMessage('source IMAP: Command failed | 2 NO [AUTHENTICATIONFAILED] Authentication failed.')).toBe('source IMAP: Command failed | 2 NO [AUTHENTICATIONFAILED] Authentication failed.');
  });
});

describe('token claims (pure)', () => {
  const good = { aud: 'https://outlook.office365.com', roles: ['IMAP.AccessAsApp'], tid: TENANT, appid: CLIENT, appidacr: '2' };

  it('checkTokenClaims: an Exchange Online app token with IMAP.AccessAsApp for the configured tenant and app passes', () => {
    const v = checkTokenClaims(good, settings.source);
    expect(v.problems).toEqual([]);
    expect(v.summary).toBe(`aud https://outlook.office365.com, roles [IMAP.AccessAsApp], tid ${TENANT}, app ${CLIENT}, signed in with a certificate`);
    // v2 tokens carry Exchange Online's app id as audience.
    expect(checkTokenClaims({ ...good, aud: '00000002-0000-0ff1-ce00-000000000000' }, settings.source).problems).toEqual([]);
  });

  it('checkTokenClaims: a Graph token, a token without the role, another tenant and another app are each named', () => {
    expect(checkTokenClaims({ ...good, aud: 'https://graph.microsoft.com', roles: [] }, settings.source).problems.map((p) => p.code)).toEqual(['WRONG_AUDIENCE', 'MISSING_ROLE']);
    expect(checkTokenClaims({ ...good, roles: ['Mail.Read'] }, settings.source).problems.map((p) => p.code)).toEqual(['MISSING_ROLE']);
    expect(checkTokenClaims({ ...good, tid: '00000000-0000-0000-0000-000000000001' }, settings.source).problems.map((p) => p.code)).toEqual(['WRONG_TENANT']);
    expect(checkTokenClaims({ ...good, appid: '99999999-2222-3333-4444-555555555555' }, settings.source).problems.map((p) => p.code)).toEqual(['WRONG_APP']);
  });

  it('checkTokenClaims: a scope naming another Microsoft resource is still judged against Exchange Online', () => {
    const graphScoped = loadSettings({ ...env, SOURCE_TOKEN_SCOPE: 'https://graph.microsoft.com/.default' }).source;
    expect(checkTokenClaims({ ...good, aud: 'https://graph.microsoft.com' }, graphScoped).problems.map((p) => p.code)).toEqual(['WRONG_AUDIENCE']);
  });

  it('checkTokenClaims: a third-party IMAP server with its own OAuth resource is judged against that resource, without the Exchange role', () => {
    const custom = loadSettings({ ...env, SOURCE_IMAP_HOST: 'imap.example.net', SOURCE_TOKEN_SCOPE: 'api://imap.example.net/.default' }).source;
    expect(checkTokenClaims({ aud: 'api://imap.example.net', tid: TENANT, appid: CLIENT }, custom).problems).toEqual([]);
    expect(checkTokenClaims({ aud: 'https://outlook.office365.com', tid: TENANT, appid: CLIENT }, custom).problems.map((p) => p.code)).toEqual(['WRONG_AUDIENCE']);
  });

  it('checkTokenClaims: a tenant given as a domain name is not compared with the tid GUID', () => {
    const byDomain = loadSettings({ ...env, SOURCE_TENANT_ID: 'contoso.onmicrosoft.com' }).source;
    expect(checkTokenClaims(good, byDomain).problems).toEqual([]);
  });
});

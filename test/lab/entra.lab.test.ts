import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import { describe, expect, test } from 'vitest';
import { makeClientCertificate } from './certs.js';
import { entraControl } from './control.js';
import { decodeJwt } from './jwt.js';
import { getLab, type LabInfo } from './lab-info.js';

const OUTLOOK = ['https://outlook.office365.com/.default'];

/** The options the engine's MSAL adapter copies (LabInfo.clients.msal). */
function msal(info: LabInfo, auth: Partial<Configuration['auth']> & { clientId: string }): ConfidentialClientApplication {
  return new ConfidentialClientApplication({ auth: { ...info.clients.msal, ...auth } });
}

async function tokenClaims(app: ConfidentialClientApplication, scopes = OUTLOOK): Promise<Record<string, unknown>> {
  const r = await app.acquireTokenByClientCredential({ scopes });
  if (r === null) throw new Error('no token');
  return decodeJwt(r.accessToken)!.claims;
}

async function rawTokenRequest(info: LabInfo, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  // Global fetch, no CA option: also proves the worker trusts the lab CA (NODE_EXTRA_CA_CERTS).
  const res = await fetch(info.entra.tokenEndpoint, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** MSAL throws ServerError; these are the fields it exposes. */
interface MsalServerError {
  name: string;
  errorCode: string;
  errorMessage: string;
  /** error_codes[0] of the response, a number at run time (typed string). */
  errorNo?: number | string;
  status?: number;
}

async function msalError(p: Promise<unknown>): Promise<MsalServerError> {
  try {
    await p;
  } catch (err) {
    return err as MsalServerError;
  }
  throw new Error('expected MSAL to fail');
}

describe('lab token endpoint with the real MSAL', () => {
  const info = getLab();

  test('a client secret gets an Exchange token carrying appid, tenant, issuer and the IMAP.AccessAsApp role', async () => {
    const m = info.entra.clients.migration;
    const c = await tokenClaims(msal(info, { clientId: m.clientId, clientSecret: m.clientSecret }));
    expect(c).toMatchObject({
      aud: 'https://outlook.office365.com',
      iss: `https://sts.windows.net/${info.tenantId}/`,
      appid: m.clientId,
      tid: info.tenantId,
      roles: ['IMAP.AccessAsApp'],
      appidacr: '1',
    });
    expect(Number(c.exp) - Date.now() / 1000).toBeGreaterThan(3500);
  });

  test('a certificate with a SHA-256 thumbprint and x5c (PS256 assertion) gets a token', async () => {
    const cert = info.entra.clients.certificate;
    const c = await tokenClaims(msal(info, {
      clientId: cert.clientId,
      clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: readFileSync(cert.keyPath, 'utf8'), x5c: readFileSync(cert.certPath, 'utf8') },
    }));
    expect(c).toMatchObject({ appid: cert.clientId, appidacr: '2', roles: ['IMAP.AccessAsApp'] });
  });

  test('a certificate with a SHA-1 thumbprint (RS256 assertion, x5t) still gets a token', async () => {
    const cert = info.entra.clients.certificate;
    const c = await tokenClaims(msal(info, {
      clientId: cert.clientId,
      clientCertificate: { thumbprint: cert.thumbprintSha1, privateKey: readFileSync(cert.keyPath, 'utf8') },
    }));
    expect(c.appid).toBe(cert.clientId);
  });

  test('without authorityMetadata MSAL fetches the OpenID document from the lab and still works', async () => {
    const m = info.entra.clients.migration;
    const { authority, knownAuthorities } = info.clients.msal;
    const app = new ConfidentialClientApplication({ auth: { authority, knownAuthorities, clientId: m.clientId, clientSecret: m.clientSecret } });
    expect((await tokenClaims(app)).appid).toBe(m.clientId);
  });

  test('the Key Vault scope gives a token for https://vault.azure.net without IMAP roles', async () => {
    const v = info.entra.clients.vaultReader;
    const c = await tokenClaims(msal(info, { clientId: v.clientId, clientSecret: v.clientSecret }), ['https://vault.azure.net/.default']);
    expect(c.aud).toBe('https://vault.azure.net');
    expect(c.roles).toBeUndefined();
  });

  test('MSAL cache: a token with more than 300 s left is reused, one request to the endpoint', async () => {
    const app = await entraControl.registerApp(info, { expiresInSeconds: 3599 });
    const cca = msal(info, { clientId: app.clientId, clientSecret: app.clientSecret! });
    const first = await cca.acquireTokenByClientCredential({ scopes: OUTLOOK });
    const second = await cca.acquireTokenByClientCredential({ scopes: OUTLOOK });
    expect(second?.accessToken).toBe(first?.accessToken);
    expect((await entraControl.stats(info)).requests[app.clientId]).toBe(1);
  });

  test('MSAL cache: a token with less than 300 s left (expires_in 299) is fetched again on every call', async () => {
    // MSAL: expired when now + 300 > exp, so expires_in 300 would still be served from the cache.
    const app = await entraControl.registerApp(info, { expiresInSeconds: 299 });
    const cca = msal(info, { clientId: app.clientId, clientSecret: app.clientSecret! });
    await cca.acquireTokenByClientCredential({ scopes: OUTLOOK });
    await cca.acquireTokenByClientCredential({ scopes: OUTLOOK });
    expect((await entraControl.stats(info)).requests[app.clientId]).toBe(2);
  });

  test('a wrong client secret fails with invalid_client AADSTS7000215 (HTTP 401), as MSAL reports it', async () => {
    const app = await entraControl.registerApp(info);
    const err = await msalError(msal(info, { clientId: app.clientId, clientSecret: 'wrong' }).acquireTokenByClientCredential({ scopes: OUTLOOK }));
    // ServerError { errorCode: 'invalid_client', errorNo: 7000215, status: 401, errorMessage:
    //   'Error(s): 7000215 - Timestamp: ... - Description: AADSTS7000215: Invalid client secret provided. ...' }
    expect(err).toMatchObject({ name: 'ServerError', errorCode: 'invalid_client', errorNo: 7000215, status: 401 });
    expect(err.errorMessage).toMatch(/^Error\(s\): 7000215 - .* - Description: AADSTS7000215: Invalid client secret provided/s);
  });

  test('a certificate that is not registered on the app fails with invalid_client AADSTS700027', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mmlab-cert-'));
    try {
      const other = await makeClientCertificate(dir, 'not-registered');
      const cert = info.entra.clients.certificate;
      const err = await msalError(msal(info, {
        clientId: cert.clientId,
        clientCertificate: { thumbprintSha256: other.thumbprintSha256, privateKey: other.keyPem, x5c: other.certPem },
      }).acquireTokenByClientCredential({ scopes: OUTLOOK }));
      expect(err).toMatchObject({ errorCode: 'invalid_client', errorNo: 700027, status: 401 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("errors have Entra's JSON shape: unknown app, scope without /.default, unknown resource", async () => {
    const app = await entraControl.registerApp(info);
    const base = { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret! };
    const unknownApp = await rawTokenRequest(info, { ...base, client_id: '00000000-0000-0000-0000-000000000001', scope: OUTLOOK[0]! });
    expect(unknownApp.status).toBe(400);
    expect(unknownApp.body).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
    expect(String(unknownApp.body.error_description)).toMatch(/^AADSTS700016: .*\r\nTrace ID: .*\r\nCorrelation ID: .*\r\nTimestamp: /s);
    const noDefault = await rawTokenRequest(info, { ...base, scope: 'https://outlook.office365.com/IMAP.AccessAsApp' });
    expect(noDefault).toMatchObject({ status: 400, body: { error: 'invalid_scope', error_codes: [1002012] } });
    const unknownResource = await rawTokenRequest(info, { ...base, scope: 'https://nothing.example/.default' });
    expect(unknownResource).toMatchObject({ status: 400, body: { error: 'invalid_resource', error_codes: [500011] } });
  });

  test('after a 429 with Retry-After MSAL itself refuses the same request until Retry-After has passed', async () => {
    const app = await entraControl.registerApp(info);
    await entraControl.fault(info, { clientId: app.clientId, status: 429, retryAfterSeconds: 2, count: 1 });
    const cca = msal(info, { clientId: app.clientId, clientSecret: app.clientSecret! });
    const err = await msalError(cca.acquireTokenByClientCredential({ scopes: OUTLOOK }));
    expect(err).toMatchObject({ name: 'ServerError', errorCode: 'temporarily_unavailable', errorNo: 90055, status: 429 });
    // MSAL's throttling cache answers without a request, with a different shape: errorCode is
    // the joined error_codes ('90055'), no errorNo, no status.
    const again = await msalError(cca.acquireTokenByClientCredential({ scopes: OUTLOOK }));
    expect(again).toMatchObject({ name: 'ServerError', errorCode: '90055', status: undefined });
    expect((await entraControl.stats(info)).requests[app.clientId]).toBe(1);
    await new Promise((r) => setTimeout(r, 2100));
    await expect(cca.acquireTokenByClientCredential({ scopes: OUTLOOK })).resolves.toBeTruthy();
    expect((await entraControl.stats(info)).requests[app.clientId]).toBe(2);
  });

  test('after a 503 without Retry-After the same MSAL instance refuses for 60 s; a new instance is not throttled', async () => {
    const app = await entraControl.registerApp(info);
    await entraControl.fault(info, { clientId: app.clientId, status: 503, count: 1 });
    const cca = msal(info, { clientId: app.clientId, clientSecret: app.clientSecret! });
    const err = await msalError(cca.acquireTokenByClientCredential({ scopes: OUTLOOK }));
    expect(err).toMatchObject({ errorCode: 'temporarily_unavailable', errorNo: 90033, status: 503 });
    expect((await msalError(cca.acquireTokenByClientCredential({ scopes: OUTLOOK }))).errorCode).toBe('90033');
    const fresh = msal(info, { clientId: app.clientId, clientSecret: app.clientSecret! });
    await expect(fresh.acquireTokenByClientCredential({ scopes: OUTLOOK })).resolves.toBeTruthy();
    expect((await entraControl.stats(info)).requests[app.clientId]).toBe(2);
  });
});

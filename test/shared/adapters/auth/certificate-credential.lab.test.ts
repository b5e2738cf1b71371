import { X509Certificate, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientAssertion, CryptoProvider } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateCredential } from '../../../../shared/adapters/auth/client-credential.js';
import { loadSettings } from '../../../../shared/config/settings.js';
import { createEngine, type Engine } from '../../../../shared/composition/create-engine.js';
import { preflightMailbox, type MailboxPreflight, type PreflightCheck } from '../../../../shared/engine/preflight/index.js';
import { runBatch } from '../../../../shared/engine/run-batch.js';
import { makeClientCertificate } from '../../../lab/certs.js';
import { bulkCorpus } from '../../../lab/corpus.js';
import { entraControl, keyVaultControl } from '../../../lab/control.js';
import { getLab, labSettings } from '../../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../../lab/mailboxes.js';
import { seedMailbox } from '../../../lab/seed.js';
import { folderCounts, snapshotMailbox } from '../../../lab/snapshot.js';
import { findLeaks } from '../../../support/secrets-scan.js';

/**
 * The certificate credential end to end: Key Vault serves the certificate's PEM bundle, the
 * engine builds an MSAL client assertion from it, the lab's Entra verifies that assertion
 * against the certificate registered on the app. Each test registers its own app, with no
 * client secret at all, so a token issued to it can only come from a verified assertion, and
 * its request counters belong to this file alone.
 */

const lab = getLab();
const certPem = readFileSync(lab.entra.clients.certificate.certPath, 'utf8');
const bundle = readFileSync(lab.entra.clients.certificate.pemPath, 'utf8');
const engines: Engine[] = [];
const outputs: Record<string, string> = {};
let stateDir: string;

function certSettings(clientId: string, certName: string): Record<string, string> {
  return labSettings(lab, {
    STORAGE_CONNECTION_STRING: '',
    STATE_DIR: stateDir,
    SOURCE_CLIENT_ID: clientId,
    SOURCE_CLIENT_CERT_NAME: certName,
    SOURCE_CLIENT_SECRET_NAME: '',
    DESTINATION_CLIENT_ID: clientId,
    DESTINATION_CLIENT_CERT_NAME: certName,
    DESTINATION_CLIENT_SECRET_NAME: '',
  });
}

function engineFor(env: Record<string, string>): Engine {
  const e = createEngine(loadSettings(env), env, { log: { info: () => undefined, warn: () => undefined }, state: 'file' });
  engines.push(e);
  return e;
}

const find = (m: MailboxPreflight, id: PreflightCheck['id'], side: PreflightCheck['side']): PreflightCheck => m.checks.find((c) => c.id === id && c.side === side)!;

async function readyMailbox(prefix: string, messages: number): Promise<string> {
  const a = uniqueAddress(prefix);
  await addMailbox(lab, 'source', a);
  await addMailbox(lab, 'destination', a);
  if (messages > 0) await seedMailbox(lab, 'source', a, bulkCorpus(messages, { folders: 1, seed: a }));
  return a;
}

beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'mailmig-cert-'));
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  rmSync(stateDir, { recursive: true, force: true });
});

describe('certificate credentials from Key Vault (lab Entra verifies the client assertion)', () => {
  it('certificate app without any secret: preflight passes and a real copy runs, every token from a verified client assertion', async () => {
    const app = await entraControl.registerApp(lab, { displayName: 'preflight cert only', secret: false, certPem });
    expect(app.clientSecret).toBeUndefined();
    const a = await readyMailbox('pf-cert', 3);
    const engine = engineFor(certSettings(app.clientId, lab.keyVault.secrets.sourceClientCert));

    const m = await preflightMailbox(engine, { line: 2, sourceEmail: a, destinationEmail: a });
    outputs.preflight = JSON.stringify(m);
    expect(m.ok, JSON.stringify(m.checks)).toBe(true);
    const secret = find(m, 'secret', 'source');
    expect(secret.detail).toContain(`certificate "${lab.keyVault.secrets.sourceClientCert}" found in Key Vault: PEM with private key`);
    expect(secret.detail).toContain(`SHA-256 thumbprint ${lab.entra.clients.certificate.thumbprintSha256.toLowerCase()}`);
    for (const side of ['source', 'destination'] as const) {
      expect(find(m, 'token-claims', side).detail).toContain(`app ${app.clientId}, signed in with a certificate`);
      expect(find(m, 'login', side).detail).toContain(`XOAUTH2 login to 127.0.0.1:`);
    }

    const report = await runBatch(engine, [{ line: 2, sourceEmail: a, destinationEmail: a }], { batchId: `cert-${randomBytes(4).toString('hex')}`, concurrency: 1, retryBaseMs: 200 });
    outputs.copy = JSON.stringify(report);
    expect(report.mailboxes[0]!.state).toBe('completed');
    expect(report.totals.copied).toBe(3);
    expect(Object.values(folderCounts(await snapshotMailbox(lab, 'destination', a))).reduce((x, y) => x + y, 0)).toBe(3);

    // The app has no secret, so the endpoint issued these tokens only after checking the
    // assertion's thumbprint, signature, issuer, audience and lifetime. One token per side
    // (one MSAL client per side and process, its cache serving every later session).
    const stats = await entraControl.stats(lab);
    expect(stats.requests[app.clientId]).toBe(2);
    expect(stats.issued[app.clientId]).toBe(2);
  });

  it('a certificate that is not the one registered on the app: the token check names AADSTS700027 and says to upload it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailmig-othercert-'));
    try {
      const other = await makeClientCertificate(dir, 'not-the-vault-cert');
      const app = await entraControl.registerApp(lab, { displayName: 'preflight other cert', secret: false, certPem: other.certPem });
      const a = await readyMailbox('pf-cert-wrong', 0);
      const m = await preflightMailbox(engineFor(certSettings(app.clientId, lab.keyVault.secrets.sourceClientCert)), { line: 2, sourceEmail: a, destinationEmail: a });
      outputs.wrongCert = JSON.stringify(m);
      const token = find(m, 'token', 'source');
      expect(token).toMatchObject({ status: 'fail', code: 'TOKEN_INVALID_CLIENT' });
      expect(token.detail).toContain('AADSTS700027');
      expect(token.cause).toContain(`the certificate is not registered on app ${app.clientId}`);
      expect(token.fix).toContain(`az ad app credential reset --id ${app.clientId} --cert @app-cert.pem --append`);
      expect(find(m, 'login', 'source').status).toBe('skipped');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a certificate stored as PKCS#12 instead of PEM: the secret check says to import it as PEM', async () => {
    const name = `pf-pfx-${randomBytes(4).toString('hex')}`;
    await keyVaultControl.putSecret(lab, name, randomBytes(600).toString('base64'), { contentType: 'application/x-pkcs12', certificate: true });
    const a = await readyMailbox('pf-cert-pfx', 0);
    const m = await preflightMailbox(engineFor(certSettings(lab.entra.clients.certificate.clientId, name)), { line: 2, sourceEmail: a, destinationEmail: a });
    outputs.pfx = JSON.stringify(m);
    const secret = find(m, 'secret', 'source');
    expect(secret).toMatchObject({ status: 'fail', code: 'TOKEN_INVALID_CLIENT' });
    expect(secret.cause).toContain('is not a PEM bundle holding both the private key and the certificate');
    expect(secret.fix).toContain(`az keyvault certificate import --vault-name <vault name> --name ${name} --file app-cert.pem`);
    expect(find(m, 'token', 'source').status).toBe('skipped');
  });

  it('client-credential: MSAL signs the assertion with PS256 and the SHA-256 thumbprint Entra matches (x5t#S256)', () => {
    const cred = certificateCredential(bundle, 'lab-cert');
    if (cred.kind !== 'certificate') throw new Error('expected a certificate credential');
    const jwt = ClientAssertion.fromCertificateWithSha256Thumbprint(cred.thumbprintSha256, cred.privateKey, cred.x5c).getJwt(new CryptoProvider(), 'client-id', lab.entra.tokenEndpoint);
    const header = JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header.alg).toBe('PS256');
    expect(header['x5t#S256']).toBe(Buffer.from(lab.entra.clients.certificate.thumbprintSha256, 'hex').toString('base64url'));
  });

  // Known defect in shared/adapters/auth/client-credential.ts (not owned here): it hands MSAL the
  // certificate as bare base64 DER, but MSAL only extracts certificates from PEM text, so the
  // assertion carries `"x5c": []`. Entra matches on x5t#S256 and the lab accepts it; Subject
  // Name + Issuer authentication would need the chain. Fix: `x5c: cert` (the PEM block).
  // Flip to `it` once fixed.
  it('client-credential: the assertion header carries the certificate in x5c', () => {
    const cred = certificateCredential(bundle, 'lab-cert');
    if (cred.kind !== 'certificate') throw new Error('expected a certificate credential');
    const jwt = ClientAssertion.fromCertificateWithSha256Thumbprint(cred.thumbprintSha256, cred.privateKey, cred.x5c).getJwt(new CryptoProvider(), 'client-id', lab.entra.tokenEndpoint);
    const header = JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as { x5c?: string[] };
    expect(header.x5c).toEqual([new X509Certificate(certPem).raw.toString('base64')]);
  });

  it('no secret value, private key or token appears in any result', () => {
    expect(findLeaks(lab, outputs)).toEqual([]);
  });
});

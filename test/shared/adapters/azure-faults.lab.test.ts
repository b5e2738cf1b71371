import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { bulkCorpus } from '../../lab/corpus.js';
import { entraControl, keyVaultControl } from '../../lab/control.js';
import { getLab, labSettings, type LabInfo } from '../../lab/lab-info.js';
import { KeyVaultSecretStore } from '../../../shared/adapters/secrets/key-vault-secret-store.js';
import { keyVaultCredential } from '../../../shared/adapters/secrets/key-vault-credential.js';
import { MigrationError } from '../../../shared/errors/migration-error.js';
import { runThroughEngine } from '../../support/engine-run.js';
import { expectExactCopy } from '../../support/expect-copy.js';
import { seededPair } from '../../support/lab-mailbox.js';

/**
 * Faults of the Azure pieces in front of the IMAP sessions: Key Vault (the client secret) and
 * the Entra token endpoint. Faults are scoped to a secret name / client id of this test alone,
 * since other test files use the same lab at the same time.
 */

let lab: LabInfo;

/** A secret only this test reads, holding `value`. */
async function privateSecret(value: string): Promise<string> {
  const name = `rel-${randomBytes(6).toString('hex')}`;
  await keyVaultControl.putSecret(lab, name, value);
  return name;
}

describe('reliability: Key Vault and token endpoint faults', () => {
  beforeAll(() => {
    lab = getLab();
  });

  it('Key Vault answering 503 twice, then OK: the batch completes with every message copied once', async () => {
    const address = await seededPair(lab, 'rel-kv503', bulkCorpus(20, { folders: 2, bodyBytes: 1000, seed: 'rel-kv503' }));
    const secret = await privateSecret(lab.entra.clients.migration.clientSecret);
    await keyVaultControl.fault(lab, { status: 503, count: 2, secretName: secret });
    const run = await runThroughEngine(lab, [address], { settings: { SOURCE_CLIENT_SECRET_NAME: secret, DESTINATION_CLIENT_SECRET_NAME: secret } });
    await expectExactCopy(lab, address, run);
    // Both faults were consumed (then the read that worked): the vault really failed twice.
    expect((await keyVaultControl.stats(lab)).bySecret[secret]).toBeGreaterThanOrEqual(3);
  });

  it('the token endpoint answering 429 (Retry-After: 1): the batch completes with every message copied once, without waiting the 30 s default', async () => {
    const address = await seededPair(lab, 'rel-tok429', bulkCorpus(20, { folders: 2, bodyBytes: 1000, seed: 'rel-tok429' }));
    const app = await entraControl.registerApp(lab);
    const secret = await privateSecret(app.clientSecret!);
    await entraControl.fault(lab, { status: 429, retryAfterSeconds: 1, count: 1, clientId: app.clientId });
    const run = await runThroughEngine(lab, [address], {
      settings: { SOURCE_CLIENT_ID: app.clientId, DESTINATION_CLIENT_ID: app.clientId, SOURCE_CLIENT_SECRET_NAME: secret, DESTINATION_CLIENT_SECRET_NAME: secret },
    });
    await expectExactCopy(lab, address, run);
    const stats = await entraControl.stats(lab);
    expect(stats.requests[app.clientId]).toBeGreaterThanOrEqual(2);
    // Retry-After said 1 s; DEFAULT_THROTTLE_MS is 30 s.
    expect(run.elapsedMs, run.log.join('\n')).toBeLessThan(10_000);
  }, 60_000);

  for (const status of [500, 503]) {
    it(`the token endpoint answering ${status} once: a 1-row batch retries it like any transient error and completes with every message copied once`, async () => {
      const address = await seededPair(lab, `rel-tok${status}`, bulkCorpus(12, { folders: 2, bodyBytes: 800, seed: `rel-tok${status}` }));
      const app = await entraControl.registerApp(lab);
      const secret = await privateSecret(app.clientSecret!);
      await entraControl.fault(lab, { status, count: 1, clientId: app.clientId });
      const run = await runThroughEngine(lab, [address], {
        settings: { SOURCE_CLIENT_ID: app.clientId, DESTINATION_CLIENT_ID: app.clientId, SOURCE_CLIENT_SECRET_NAME: secret, DESTINATION_CLIENT_SECRET_NAME: secret },
      });
      await expectExactCopy(lab, address, run);
      // The fault was consumed: the endpoint really failed once before it answered.
      expect((await entraControl.stats(lab)).requests[app.clientId]).toBeGreaterThanOrEqual(2);
      expect(run.elapsedMs, run.log.join('\n')).toBeLessThan(30_000);
    }, 60_000);
  }

  it('a Key Vault credential that cannot sign in (wrong AZURE_CLIENT_SECRET) is KEY_VAULT_SIGN_IN_FAILED, naming the settings, never the secret', async () => {
    const env = labSettings(lab, { AZURE_CLIENT_SECRET: 'wrong-hunter2' });
    const store = new KeyVaultSecretStore(env.KEY_VAULT_URL!, keyVaultCredential(env));
    const err = await store.getSecret(await privateSecret('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).code).toBe('KEY_VAULT_SIGN_IN_FAILED');
    expect((err as MigrationError).errorClass).toBe('permanent');
    expect((err as MigrationError).message).toContain('AZURE_CLIENT_SECRET');
    expect((err as MigrationError).message).not.toContain('hunter2');
    expect((err as MigrationError).message).toMatch(/^Key Vault sign-in: AADSTS7000215: Invalid client secret provided\. \(the Key Vault credential/);
  });
});

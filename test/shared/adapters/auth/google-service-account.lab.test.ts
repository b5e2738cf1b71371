import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { GOOGLE_MAIL_SCOPE, googleSourceSettings, labServiceAccount, type LabServiceAccount } from '../../../support/google-account.js';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ServiceAccountTokens } from '../../../../shared/adapters/auth/service-account-tokens.js';
import { loadSettings } from '../../../../shared/config/settings.js';
import { createEngine, redactingLogger, type Engine } from '../../../../shared/composition/create-engine.js';
import { preflightBatch, type MailboxPreflight, type PreflightCheck } from '../../../../shared/engine/preflight/index.js';
import { bulkCorpus } from '../../../lab/corpus.js';
import { entraControl, keyVaultControl } from '../../../lab/control.js';
import { getLab, labSettings } from '../../../lab/lab-info.js';
import { findLeaks } from '../../../support/secrets-scan.js';
import { runThroughEngine } from '../../../support/engine-run.js';
import { compareCopy, seededPair } from '../../../support/lab-mailbox.js';

// Google Workspace as a source through a service account with domain-wide delegation, against
// the lab's Google token endpoint (which verifies the JWT bearer assertion: signature with the
// registered public key, aud, lifetime, sub, delegated scope) and a Dovecot that takes the
// token it issues over XOAUTH2.

const lab = getLab();
const MAIL_SCOPE = GOOGLE_MAIL_SCOPE;
const engines: Engine[] = [];
const outputs: Record<string, string> = {};
const planted: string[] = [];

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

async function serviceAccount(users: string[], scopes: string[] = [MAIL_SCOPE], expiresInSeconds?: number): Promise<LabServiceAccount> {
  const account = await labServiceAccount(lab, users, scopes, expiresInSeconds);
  planted.push(account.keyLine);
  return account;
}

const googleSource = googleSourceSettings;

function find(m: MailboxPreflight, id: PreflightCheck['id'], side: PreflightCheck['side']): PreflightCheck {
  const c = m.checks.find((x) => x.id === id && x.side === side);
  if (!c) throw new Error(`no ${id} ${side ?? ''} check in ${JSON.stringify(m.checks)}`);
  return c;
}

function engine(name: string, overrides: Record<string, string>): Engine {
  const env = labSettings(lab, { STORAGE_CONNECTION_STRING: '', STATE_DIR: mkdtempSync(join(tmpdir(), 'mailmig-google-')), ...overrides });
  outputs[`${name} log`] = '';
  const e = createEngine(loadSettings(env), env, { log: redactingLogger((l) => (outputs[`${name} log`] += `${l}\n`)), state: 'file' });
  engines.push(e);
  return e;
}

describe('google-service-account', () => {
  it('a Workspace mailbox is copied exactly with a token per mailbox minted from the key in Key Vault; nothing secret in the report, the log or the ledger', async () => {
    const box = await seededPair(lab, 'gsa', bulkCorpus(30, { folders: 3, bodyBytes: 600, seed: 'gsa' }));
    const other = await seededPair(lab, 'gsa-other', bulkCorpus(5, { folders: 1, seed: 'gsa-other' }));
    const account = await serviceAccount([box, other]);
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-google-run-'));
    const run = await runThroughEngine(lab, [box, other], { stateDir, settings: googleSource(account.secretName) });
    expect(run.report.mailboxes.map((m) => m.state), run.log.join('\n')).toEqual(['completed', 'completed']);
    expect((await compareCopy(lab, box)).diffs).toEqual([]);
    expect((await compareCopy(lab, other)).diffs).toEqual([]);
    // One token per mailbox (sub), not one per connection: the hour-long tokens are kept.
    const stats = await entraControl.googleStats(lab);
    expect(stats.issued[box.toLowerCase()]).toBe(1);
    expect(stats.issued[other.toLowerCase()]).toBe(1);

    const texts: Record<string, string> = { report: JSON.stringify(run.report), log: run.log.join('\n') };
    for (const f of readdirSync(stateDir, { recursive: true }) as string[]) {
      const p = join(stateDir, f);
      if (statSync(p).isFile()) texts[`state ${f}`] = readFileSync(p, 'utf8');
    }
    expect(findLeaks(lab, texts)).toEqual([]);
    for (const [where, text] of Object.entries(texts)) expect(planted.some((p) => text.includes(p)), where).toBe(false);
  }, 120_000);

  it('preflight names the cause and the fix: delegation not allowed for the client id and scope, a key that is not a key file, an address Google does not know', async () => {
    const box = await seededPair(lab, 'gsa-pf', bulkCorpus(2, { folders: 1, seed: 'gsa-pf' }));
    const stranger = await seededPair(lab, 'gsa-pf-unknown', bulkCorpus(1, { folders: 1, seed: 'gsa-pf-unknown' }));
    const undelegated = await serviceAccount([box], []);
    const broken = `google-key-${randomBytes(4).toString('hex')}`;
    await keyVaultControl.putSecret(lab, broken, 'not a key file');

    const [noDelegation] = (await preflightBatch(engine('no delegation', googleSource(undelegated.secretName)), [{ line: 2, sourceEmail: box, destinationEmail: box }], { concurrency: 1 })).mailboxes;
    outputs['no delegation'] = JSON.stringify(noDelegation);
    const token = find(noDelegation!, 'token', 'source');
    expect(token).toMatchObject({ status: 'fail', code: 'TOKEN_INVALID_CLIENT' });
    expect(token.cause).toContain('domain-wide delegation is not allowed for its client ID');
    expect(token.fix).toContain('Domain-wide delegation');
    expect(token.fix).toContain(MAIL_SCOPE);

    const [badKey] = (await preflightBatch(engine('bad key', googleSource(broken)), [{ line: 2, sourceEmail: box, destinationEmail: box }], { concurrency: 1 })).mailboxes;
    outputs['bad key'] = JSON.stringify(badKey);
    expect(find(badKey!, 'secret', 'source').status).toBe('pass');
    const keyCheck = find(badKey!, 'token', 'source');
    expect(keyCheck).toMatchObject({ status: 'fail', code: 'TOKEN_INVALID_CLIENT' });
    expect(keyCheck.cause).toContain(`the service account key stored as "${broken}" is not usable`);
    expect(keyCheck.fix).toContain('Add key > Create new key > JSON');

    const delegated = await serviceAccount([box]);
    const [unknown] = (await preflightBatch(engine('unknown user', googleSource(delegated.secretName)), [{ line: 2, sourceEmail: stranger, destinationEmail: stranger }], { concurrency: 1 })).mailboxes;
    outputs['unknown user'] = JSON.stringify(unknown);
    const refused = find(unknown!, 'token', 'source');
    expect(refused).toMatchObject({ status: 'fail', code: 'IMAP_AUTH_FAILED' });
    expect(refused.fix).toContain('Directory > Users');

    expect(findLeaks(lab, outputs)).toEqual([]);
    for (const [where, text] of Object.entries(outputs)) expect(planted.some((p) => text.includes(p)), where).toBe(false);
  }, 120_000);

  it('a token is kept while it has more than five minutes left and minted again before it expires; the endpoint refuses an assertion signed with another key', async () => {
    const box = `gsa-renew-${randomBytes(3).toString('hex')}@contoso.example`;
    const account = await serviceAccount([box]);
    const settings = loadSettings(labSettings(lab, { STORAGE_CONNECTION_STRING: '', ...googleSource(account.secretName) }));
    const store = { getSecret: (): Promise<string> => Promise.resolve(account.keyFile) };
    // The first token is minted 56 minutes "ago": it expires in about 4 minutes of real time.
    let offsetMs = -56 * 60_000;
    const tokens = new ServiceAccountTokens(settings.source, store, 'source', () => Date.now() + offsetMs);
    const first = await tokens.getToken(box);
    offsetMs = -50 * 60_000;
    expect(await tokens.getToken(box)).toBe(first);
    offsetMs = 0;
    const renewed = await tokens.getToken(box);
    expect(renewed.token).not.toBe(first.token);
    expect(renewed.expiresOnMs).toBeGreaterThan(Date.now() + 55 * 60_000);
    expect((await entraControl.googleStats(lab)).issued[box.toLowerCase()]).toBe(2);

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = JSON.parse(account.keyFile) as Record<string, string>;
    forged.private_key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const impostor = new ServiceAccountTokens(settings.source, { getSecret: () => Promise.resolve(JSON.stringify(forged)) }, 'source');
    await expect(impostor.getToken(box)).rejects.toMatchObject({ code: 'TOKEN_INVALID_CLIENT', message: expect.stringContaining('Invalid JWT Signature') as string });
  });
});

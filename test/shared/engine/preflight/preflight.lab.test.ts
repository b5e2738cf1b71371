import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../../shared/config/settings.js';
import type { MailboxRow } from '../../../../shared/contracts/mailbox.js';
import { createEngine, redactingLogger, type Engine } from '../../../../shared/composition/create-engine.js';
import { preflightBatch, type MailboxPreflight, type PreflightCheck } from '../../../../shared/engine/preflight/index.js';
import { bulkCorpus, makeMessage } from '../../../lab/corpus.js';
import { entraControl, keyVaultControl } from '../../../lab/control.js';
import { getLab, labSettings } from '../../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../../lab/mailboxes.js';
import { seedMailbox, type SeedFolder } from '../../../lab/seed.js';
import { snapshotMailbox } from '../../../lab/snapshot.js';
import { findLeaks } from '../../../support/secrets-scan.js';

const lab = getLab();
const engines: Engine[] = [];
/** Everything preflight printed or returned, scanned for secrets and tokens at the end. */
const outputs: Record<string, string> = {};
/** Secret values planted by these tests, besides the lab's own. */
const planted: string[] = [];

function engine(name: string, overrides: Record<string, string>): Engine {
  const env = labSettings(lab, { STORAGE_CONNECTION_STRING: '', ...overrides });
  outputs[`${name} log`] = '';
  const e = createEngine(loadSettings(env), env, { log: redactingLogger((l) => (outputs[`${name} log`] += `${l}\n`)), state: 'file' });
  engines.push(e);
  return e;
}

const row = (address: string, line: number): MailboxRow => ({ line, sourceEmail: address, destinationEmail: address });
const rand = (): string => randomBytes(4).toString('hex');

async function mailbox(prefix: string, opts: { source?: boolean; destination?: boolean; password?: string; folders?: SeedFolder[] } = {}): Promise<string> {
  const a = uniqueAddress(prefix);
  if (opts.source ?? true) await addMailbox(lab, 'source', a);
  if (opts.destination ?? true) await addMailbox(lab, 'destination', a, opts.password !== undefined ? { password: opts.password } : {});
  if (opts.folders) await seedMailbox(lab, 'source', a, opts.folders);
  return a;
}

const message = (subject: string, bodyBytes = 300): SeedFolder['messages'][number] => ({
  raw: makeMessage({ subject, from: 'alexw@contoso.example', to: 'meganb@contoso.example', date: new Date(Date.UTC(2024, 4, 1)), seed: subject, bodyBytes }),
  flags: ['\\Seen'],
});

function find(m: MailboxPreflight, id: PreflightCheck['id'], side?: PreflightCheck['side']): PreflightCheck {
  const c = m.checks.find((x) => x.id === id && x.side === side);
  if (!c) throw new Error(`no ${id} ${side ?? ''} check in ${JSON.stringify(m.checks)}`);
  return c;
}

const byAddress = (ms: MailboxPreflight[], a: string): MailboxPreflight => ms.find((m) => m.sourceEmail === a)!;

function record(name: string, ms: MailboxPreflight[]): void {
  outputs[name] = JSON.stringify(ms);
}

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

describe('preflight against the lab', () => {
  it('preflightBatch: an unknown mailbox, an oversized message and Exchange-reserved folder names are each named; healthy mailboxes pass', async () => {
    const healthy = await mailbox('pf-ok', { folders: bulkCorpus(12, { folders: 3, seed: rand() }) });
    const empty = await mailbox('pf-empty');
    const unknown = await mailbox('pf-nogrant', { source: false });
    const oversized = await mailbox('pf-big', { folders: [{ path: 'INBOX', messages: [message('small'), message('Scanned contract', 3 * 1024 * 1024), message('small 2')] }] });
    const names = await mailbox('pf-names', { folders: [{ path: 'Files', messages: [message('in Files')] }, { path: 'Projects', messages: [message('P')] }, { path: 'projects', messages: [message('p')] }] });
    const e = engine('batch', { DESTINATION_SERVER_KIND: 'exchange' });

    const started = Date.now();
    // Size windows of 3 messages (5,000 in production): folders of 4 need two FETCHes each.
    const report = await preflightBatch(e, [healthy, empty, unknown, oversized, names].map(row), { concurrency: 4, sizeWindow: 3 });
    const ms = report.mailboxes;
    record('batch', ms);
    console.log(`preflight of 5 mailboxes: ${Date.now() - started} ms`);

    const ok = byAddress(ms, healthy);
    expect(ok.ok, JSON.stringify(ok.checks)).toBe(true);
    expect(ok.checks.every((c) => c.status === 'pass')).toBe(true);
    expect(ok.checks.map((c) => `${c.id}${c.side ? `/${c.side}` : ''}`)).toEqual([
      'secret/source', 'token/source', 'token-claims/source', 'secret/destination', 'token/destination', 'token-claims/destination',
      'login/source', 'login/destination', 'folders/source', 'message-size', 'folder-names/destination',
    ]);
    expect(ok.stats).toMatchObject({ folders: expect.any(Number) as number, messages: 12, overLimitCount: 0 });
    const seeded = Object.values((await snapshotMailbox(lab, 'source', healthy)).folders).flatMap((f) => f.messages);
    expect(ok.stats!.bytes).toBe(seeded.reduce((n, m) => n + m.size, 0));
    expect(ok.stats!.largestMessageBytes).toBe(Math.max(...seeded.map((m) => m.size)));
    expect(byAddress(ms, empty).ok).toBe(true);
    expect(byAddress(ms, empty).stats?.messages).toBe(0);

    const refused = byAddress(ms, unknown);
    expect(refused.ok).toBe(false);
    const login = find(refused, 'login', 'source');
    expect(login).toMatchObject({ status: 'fail', code: 'IMAP_AUTH_FAILED' });
    expect(login.cause).toContain('the app has no FullAccess on this mailbox, the service principal is not registered in Exchange');
    expect(login.cause).toContain("Enterprise Application's object id, not the App Registration's");
    expect(login.cause).toContain('grants can take up to an hour');
    expect(login.fix).toContain(`Add-MailboxPermission -Identity '${unknown}' -User`);
    expect(login.fix).toContain(`Set-CASMailbox -Identity '${unknown}' -ImapEnabled $true`);
    expect(login.fix).toContain(`New-ServicePrincipal -AppId '${lab.entra.clients.migration.clientId}'`);
    expect(find(refused, 'login', 'destination').status).toBe('pass');
    expect(find(refused, 'folders', 'source').status).toBe('skipped');

    const big = byAddress(ms, oversized);
    expect(big.ok).toBe(false);
    const size = find(big, 'message-size');
    expect(size).toMatchObject({ status: 'fail', code: 'MESSAGE_TOO_LARGE' });
    expect(size.cause).toMatch(/^1 message\(s\) are larger than MAX_MESSAGE_BYTES \(2\.0 MB\)/);
    expect(size.fix).toContain(`Set-Mailbox -Identity '${oversized}' -MaxReceiveSize 150MB`);
    expect(big.stats).toMatchObject({ messages: 3, overLimitCount: 1 });
    expect(big.stats!.overLimit).toEqual([{ folder: 'INBOX', uid: 2, size: expect.any(Number) as number }]);
    expect(big.stats!.largestMessageBytes).toBeGreaterThan(3 * 1024 * 1024);
    expect(find(big, 'folders', 'source').status).toBe('pass');

    const renamed = byAddress(ms, names);
    expect(renamed.ok, 'renamed folders arrive with all their messages: a warning, not a failure').toBe(true);
    const folderNames = find(renamed, 'folder-names', 'destination');
    expect(folderNames).toMatchObject({ status: 'warn', code: 'FOLDER_RENAMED' });
    expect(folderNames.detail).toContain('"Files" -> "Files (migrated)"');
    expect(folderNames.detail).toContain('"projects" -> "projects (2)"');
    expect(folderNames.cause).toContain('"Files" is reserved at the top of an Exchange mailbox');
    expect(folderNames.cause).toContain('case-insensitive');

    expect(report.totals).toEqual({ mailboxes: 5, passed: 3, failed: 2, withWarnings: 1 });
  });

  it('preflightBatch: a token for the wrong audience (source) and a wrong client secret (destination) are told apart from a missing grant', async () => {
    const wrongName = `pf-wrong-${rand()}`;
    const wrongValue = `Wr0ng~${randomBytes(18).toString('base64url')}`;
    planted.push(wrongValue);
    await keyVaultControl.putSecret(lab, wrongName, wrongValue);
    const a = await mailbox('pf-aud');
    const e = engine('audience+secret', { SOURCE_TOKEN_SCOPE: 'https://graph.microsoft.com/.default', DESTINATION_CLIENT_SECRET_NAME: wrongName });

    const started = Date.now();
    // A propagation window is set, yet a refused bad token is not retried: waiting cannot fix it.
    const [m] = (await preflightBatch(e, [row(a, 2)], { concurrency: 1, propagationWindowMs: 30_000, propagation: { firstDelayMs: 100 } })).mailboxes;
    const elapsed = Date.now() - started;
    record('audience+secret', [m!]);

    expect(m!.ok).toBe(false);
    expect(elapsed).toBeLessThan(10_000);
    const claims = find(m!, 'token-claims', 'source');
    expect(claims).toMatchObject({ status: 'fail', code: 'WRONG_AUDIENCE' });
    expect(claims.detail).toContain('the token is for "https://graph.microsoft.com", not for https://outlook.office365.com');
    expect(claims.cause).toContain('the token is not for Exchange Online IMAP');
    expect(claims.fix).toMatch(/grant the application permission IMAP\.AccessAsApp under Office 365 Exchange Online and admin consent/i);
    expect(claims.fix).toContain('the token scope must be https://outlook.office365.com/.default');
    expect(claims.fix).toContain('SOURCE_TOKEN_SCOPE=https://outlook.office365.com/.default');
    const srcLogin = find(m!, 'login', 'source');
    expect(srcLogin).toMatchObject({ status: 'fail', code: 'IMAP_AUTH_FAILED' });
    expect(srcLogin.cause).toContain('refused the app token itself');
    expect(srcLogin.cause).not.toContain('FullAccess');
    expect(srcLogin.detail).toContain('NO [AUTHENTICATIONFAILED]');

    const token = find(m!, 'token', 'destination');
    expect(token).toMatchObject({ status: 'fail', code: 'TOKEN_INVALID_CLIENT' });
    expect(token.detail).toContain('AADSTS7000215');
    expect(token.cause).toContain(`the client secret in Key Vault secret "${wrongName}" is wrong or expired`);
    expect(token.fix).toContain('Create a new one in the app registration');
    expect(token.fix).toContain(`az keyvault secret set --vault-name <vault name> --name ${wrongName} --value`);
    expect(find(m!, 'secret', 'destination').status).toBe('pass');
    expect(find(m!, 'token-claims', 'destination').status).toBe('skipped');
    expect(find(m!, 'login', 'destination').status).toBe('skipped');
  });

  it('preflightBatch: a secret missing from Key Vault (source) and an app without IMAP.AccessAsApp (destination) are named with the command that fixes them', async () => {
    const missing = `pf-missing-${rand()}`;
    const noRole = await entraControl.registerApp(lab, { displayName: 'preflight no role', roles: {} });
    planted.push(noRole.clientSecret!);
    const noRoleSecret = `pf-norole-${rand()}`;
    await keyVaultControl.putSecret(lab, noRoleSecret, noRole.clientSecret!);
    const a = await mailbox('pf-kv', { folders: [{ path: 'INBOX', messages: [message('one')] }] });
    const e = engine('missing+role', { SOURCE_CLIENT_SECRET_NAME: missing, DESTINATION_CLIENT_ID: noRole.clientId, DESTINATION_CLIENT_SECRET_NAME: noRoleSecret });

    const [m] = (await preflightBatch(e, [row(a, 2)], { concurrency: 1 })).mailboxes;
    record('missing+role', [m!]);

    const secret = find(m!, 'secret', 'source');
    expect(secret).toMatchObject({ status: 'fail', code: 'SECRET_NOT_FOUND' });
    expect(secret.cause).toContain(`has no enabled secret named "${missing}" (setting SOURCE_CLIENT_SECRET_NAME)`);
    expect(secret.fix).toContain(`az keyvault secret set --vault-name <vault name> --name ${missing} --value '<client secret Value from the app registration>'`);
    for (const id of ['token', 'token-claims', 'login'] as const) expect(find(m!, id, 'source').status).toBe('skipped');

    const claims = find(m!, 'token-claims', 'destination');
    expect(claims).toMatchObject({ status: 'fail', code: 'MISSING_ROLE' });
    expect(claims.cause).toContain('the app has no IMAP.AccessAsApp application permission with admin consent');
    expect(claims.fix).toContain(`az ad app permission add --id ${noRole.clientId}`);
    // Dovecot does not check roles; Exchange would refuse. The mailbox fails on the claims either way.
    expect(m!.ok).toBe(false);
  });

  it('preflightBatch with password auth: each mailbox\'s password secret is looked up, a missing one and a wrong one are told apart', async () => {
    const template = `pf-pw-${rand()}-{mailbox}`;
    const secretName = (a: string): string => template.replace('{mailbox}', a.toLowerCase().replace(/[^a-z0-9]/g, '-'));
    const good = `Good-${rand()}-pw`;
    const stale = `Stale-${rand()}-pw`;
    planted.push(good, stale);
    const right = await mailbox('pf-pw-ok', { password: good });
    const absent = await mailbox('pf-pw-none', { password: good });
    const wrong = await mailbox('pf-pw-bad', { password: good });
    await keyVaultControl.putSecret(lab, secretName(right), good);
    await keyVaultControl.putSecret(lab, secretName(wrong), stale);
    const e = engine('passwords', { DESTINATION_AUTH: 'password', DESTINATION_PASSWORD_SECRET_TEMPLATE: template });

    const ms = (await preflightBatch(e, [right, absent, wrong].map(row), { concurrency: 3 })).mailboxes;
    record('passwords', ms);

    expect(byAddress(ms, right).ok, JSON.stringify(byAddress(ms, right).checks)).toBe(true);
    expect(find(byAddress(ms, right), 'login', 'destination').detail).toContain(`password login to 127.0.0.1:${lab.imap.destination.tlsPort} as ${right}`);
    const none = find(byAddress(ms, absent), 'secret', 'destination');
    expect(none).toMatchObject({ status: 'fail', code: 'SECRET_NOT_FOUND' });
    expect(none.cause).toContain(`"${secretName(absent)}" (setting DESTINATION_PASSWORD_SECRET_TEMPLATE)`);
    expect(none.fix).toContain(`--value '<password of ${absent}>'`);
    const refused = find(byAddress(ms, wrong), 'login', 'destination');
    expect(refused).toMatchObject({ status: 'fail', code: 'IMAP_AUTH_FAILED' });
    expect(refused.cause).toContain(`refused the password stored in Key Vault secret "${secretName(wrong)}"`);
  });

  it('no secret value, private key or token appears in any result or log line', () => {
    expect(Object.keys(outputs).length).toBeGreaterThan(4);
    const leaks = findLeaks(lab, outputs);
    for (const [where, text] of Object.entries(outputs)) {
      planted.forEach((s, i) => {
        if (text.includes(s)) leaks.push(`planted secret #${i} in ${where}`);
      });
    }
    expect(leaks).toEqual([]);
  });
});

import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobHandler } from '../../functions/lib/blob-handler.js';
import { consentCallbackHandler, consentStartHandler, type ConsentDeps } from '../../functions/lib/consent-handlers.js';
import { BlobTokenCacheStore, TOKEN_CACHE_CONTAINER } from '../../shared/adapters/auth/blob-token-cache-store.js';
import { ConsentSealer } from '../../shared/adapters/auth/consent-state.js';
import type { BatchReport } from '../../shared/contracts/report.js';
import { reportPaths } from '../../shared/engine/batch-ids.js';
import { bulkCorpus } from '../lab/corpus.js';
import { entraControl } from '../lab/control.js';
import { getLab } from '../lab/lab-info.js';
import { uniqueAddress } from '../lab/mailboxes.js';
import { appUnderTest, blobContext, type AppUnderTest } from '../support/durable-app/app-under-test.js';
import { compareCopy, seededPair } from '../support/lab-mailbox.js';
import { findLeaks } from '../support/secrets-scan.js';
import { delegatedConsumerSource, newTokenCacheKey } from '../support/delegated-source.js';

// The Functions app's consent for oauth2-delegated: the start route sends the owner to the lab
// Entra's /authorize (PKCE S256, sealed state), the browser comes back to the callback, MSAL
// redeems the code and the grant rests in a sealed blob; then the app's activities migrate
// with it. The "browser" is played here: it follows the authority's redirect and carries the cookie.

const lab = getLab();
const APP = 'https://mailmig.example';
let app: AppUnderTest;
let deps: ConsentDeps;
const logs: string[] = [];
const answers: Record<string, string> = {};
const codes: string[] = [];

const context = (): InvocationContext => new InvocationContext({ functionName: 'consent', logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')) });
const header = (r: HttpResponseInit, name: string): string => String((r.headers as Record<string, string>)[name] ?? '');

async function record(what: string, r: HttpResponseInit): Promise<HttpResponseInit> {
  answers[what] = `${r.status ?? 200} ${JSON.stringify(r.headers)} ${typeof r.body === 'string' ? r.body : ''}`;
  return Promise.resolve(r);
}

/** Start for `mailbox`; the authority's redirect back (the callback URL with code and state) and the cookie. */
async function start(mailbox: string): Promise<{ callback: URL; cookie: string }> {
  const r = await record(`start ${mailbox}`, await consentStartHandler(deps)(new HttpRequest({ url: `${APP}/api/consent/start?side=source&mailbox=${encodeURIComponent(mailbox)}&code=function-key`, method: 'GET' }), context()));
  expect(r.status).toBe(302);
  const authorize = new URL(header(r, 'location'));
  expect(authorize.pathname).toBe('/consumers/oauth2/v2.0/authorize');
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('redirect_uri')).toBe(`${APP}/api/consent/callback`);
  const cookie = /^mailmig_consent=([^;]+);/.exec(header(r, 'set-cookie'))?.[1] ?? '';
  const signIn = await fetch(authorize, { redirect: 'manual' });
  expect(signIn.status).toBe(302);
  const callback = new URL(signIn.headers.get('location') ?? '');
  codes.push(callback.searchParams.get('code') ?? '');
  return { callback, cookie };
}

async function callback(url: URL, cookie: string, what: string): Promise<HttpResponseInit> {
  return record(what, await consentCallbackHandler(deps)(new HttpRequest({ url: url.toString(), method: 'GET', headers: { cookie: `mailmig_consent=${cookie}` } }), context()));
}

describe('the app\'s consent flow (authorization code with PKCE) and a migration with its grant', () => {
  let keyName: string;
  beforeAll(async () => {
    keyName = await newTokenCacheKey(lab);
    app = appUnderTest({ ...delegatedConsumerSource(keyName), DASHBOARD_URL: `${APP}/api/dashboard` }, undefined, { autoCutover: true });
    deps = { settings: () => app.settings, sealer: () => new ConsentSealer(app.engine.secrets, keyName), flow: () => app.engine.dialer };
  }, 120_000);
  afterAll(async () => app?.close());

  it('refuses a tampered state, a sign-in as another account and a code redeemed with another verifier; records a good sign-in, then the batch copies that mailbox exactly and names the consent link for one that never consented', async () => {
    const a = await seededPair(lab, 'consent-a', bulkCorpus(10, { folders: 2, seed: 'consent-a' }));
    const b = await seededPair(lab, 'consent-b', bulkCorpus(3, { folders: 1, seed: 'consent-b' }));
    const stranger = uniqueAddress('stranger', 'outlook.example');

    // A state altered on its way: refused before anything reaches the authority.
    const tampered = await start(a);
    const state = tampered.callback.searchParams.get('state')!;
    tampered.callback.searchParams.set('state', `${state.slice(0, 20)}${state[20] === 'A' ? 'B' : 'A'}${state.slice(21)}`);
    expect((await callback(tampered.callback, tampered.cookie, 'tampered')).status).toBe(400);
    // A valid state without its cookie (another browser): refused too.
    const other = await start(a);
    expect((await callback(other.callback, '', 'no cookie')).status).toBe(400);

    // The owner signs in as someone else: refused, and that grant is not kept.
    await entraControl.nextSignIn(lab, stranger);
    const wrong = await start(a);
    const refused = await callback(wrong.callback, wrong.cookie, 'wrong account');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain(`sign in as ${a}`);
    await expect(app.engine.dialer.mailboxToken('source', a)).rejects.toMatchObject({ code: 'CONSENT_NEEDED' });

    // A's code with B's state and cookie: the verifier does not match A's challenge, the authority refuses.
    const first = await start(a);
    const second = await start(a);
    const swapped = new URL(second.callback);
    swapped.searchParams.set('code', first.callback.searchParams.get('code')!);
    const pkce = await callback(swapped, second.cookie, 'pkce mismatch');
    expect(pkce.status, String(pkce.body)).toBe(403);
    expect(pkce.body).toContain('refused by the authority: invalid_grant');
    await expect(app.engine.dialer.mailboxToken('source', a)).rejects.toMatchObject({ code: 'CONSENT_NEEDED' });

    // The owner signs in as herself.
    const good = await start(a);
    const ok = await callback(good.callback, good.cookie, 'success');
    expect(ok.status, String(ok.body)).toBe(200);
    expect((await entraControl.delegatedStats(lab)).issued[a.toLowerCase()]?.authorizationCode).toBe(1);
    const sealed = await app.blobs.get(TOKEN_CACHE_CONTAINER, BlobTokenCacheStore.blobName('source', a));
    expect(sealed).toBeDefined();
    expect(sealed!.toString('latin1').toLowerCase()).not.toContain(a.toLowerCase());
    // The same code again (a reload of the callback page): refused, the grant stays.
    expect((await callback(good.callback, good.cookie, 'replay')).status).toBe(403);

    // Short tokens: every session renews by refresh token from the blob.
    await entraControl.delegatedLifetimes(lab, { accessTokenSeconds: 60 });
    try {
      const csv = Buffer.from(`SourceEmail,DestinationEmail\n${a},${a}\n${b},${b}\n`);
      await app.blobs.put('migrations', 'incoming/consent.csv', csv, 'text/csv');
      const started = await blobHandler(app.deps)(csv, blobContext('consent.csv'));
      const id = (started as { batchId: string }).batchId;
      const run = await app.client.settled(id);
      expect(run.status, run.error).toBe('Completed');
      const reportText = (await app.blobs.get('reports', reportPaths.batchJson(id)))!.toString('utf8');
      const report = JSON.parse(reportText) as BatchReport;
      const ra = report.mailboxes.find((m) => m.sourceEmail === a);
      const rb = report.mailboxes.find((m) => m.sourceEmail === b);
      expect(ra?.state).toBe('completed');
      expect((await compareCopy(lab, a)).diffs).toEqual([]);
      expect(rb?.state).toBe('failed');
      expect(rb?.error?.code).toBe('CONSENT_NEEDED');
      expect(rb?.error?.message).toContain(`${APP}/api/consent/start?side=source&mailbox=${encodeURIComponent(b)}`);
      answers.report = reportText;
    } finally {
      await entraControl.delegatedLifetimes(lab, { accessTokenSeconds: 3599 });
    }

    // No code, state, cookie or token in what the app answered, logged or reported.
    const said = { ...answers, logs: logs.join('\n') };
    expect(findLeaks(lab, said)).toEqual([]);
    for (const [where, text] of Object.entries({ ...said, startAnswers: '' })) {
      for (const code of codes.filter((c) => c !== '')) expect(text.includes(code), `a code in ${where}`).toBe(false);
    }
    expect(logs.join('\n')).not.toContain(good.cookie);
    expect(logs.join('\n')).not.toContain(good.callback.searchParams.get('state'));
  }, 240_000);
});

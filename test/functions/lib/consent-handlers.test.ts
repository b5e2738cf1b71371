import { HttpRequest, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { consentCallbackHandler, consentStartHandler, type ConsentDeps, type ConsentFlow } from '../../../functions/lib/consent-handlers.js';
import { consentHint } from '../../../functions/lib/consent-link.js';
import { ConsentSealer } from '../../../shared/adapters/auth/consent-state.js';
import { loadSettings } from '../../../shared/config/settings.js';
import { VALID_SETTINGS } from '../../support/valid-settings.js';

const settings = loadSettings({ ...VALID_SETTINGS, SOURCE_AUTH: 'oauth2-delegated', SOURCE_CLIENT_ID: '00000000-0000-0000-0000-000000000001', TOKEN_CACHE_KEY_NAME: 'k', DASHBOARD_URL: 'https://app.example/api/dashboard' });
const sealer = new ConsentSealer({ getSecret: () => Promise.resolve('key value') }, 'k');
const calls: string[] = [];
const flow: ConsentFlow = {
  consentUrl: (site, mailbox, p) => Promise.resolve(`https://login.example/authorize?state=${p.state}&redirect_uri=${encodeURIComponent(p.redirectUri)}&m=${mailbox}&s=${site}`),
  redeemConsent: (site, mailbox) => {
    calls.push(`${site} ${mailbox}`);
    return Promise.resolve();
  },
};
const deps: ConsentDeps = { settings: () => settings, sealer: () => sealer, flow: () => flow };
const ctx = (): InvocationContext => new InvocationContext({ functionName: 'consent', logHandler: () => undefined });
const get = (url: string, cookie = ''): HttpRequest => new HttpRequest({ url, method: 'GET', headers: cookie ? { cookie } : {} });

describe('the consent routes, before any authority is reached', () => {
  it('start refuses a mailbox that is not one address, and a side that does not use oauth2-delegated', async () => {
    const start = consentStartHandler(deps);
    expect((await start(get('https://app.example/api/consent/start?side=source&mailbox=a@b.c,%20x@y.z'), ctx())).status).toBe(400);
    expect((await start(get('https://app.example/api/consent/start?side=destination&mailbox=a@b.c'), ctx())).status).toBe(400);
    expect((await start(get('https://app.example/api/consent/start?side=elsewhere&mailbox=a@b.c'), ctx())).status).toBe(400);
  });

  it('start redirects with the callback on the same host and sets the verifier cookie HttpOnly, Secure, for the callback only', async () => {
    const r = await consentStartHandler(deps)(get('https://app.example/api/consent/start?side=source&mailbox=a@b.c&code=key'), ctx());
    const headers = r.headers as Record<string, string>;
    expect(r.status).toBe(302);
    expect(new URL(headers.location!).searchParams.get('redirect_uri')).toBe('https://app.example/api/consent/callback');
    expect(headers['set-cookie']).toMatch(/^mailmig_consent=[A-Za-z0-9_-]+; Path=\/api\/consent\/callback; Max-Age=600; HttpOnly; Secure; SameSite=Lax$/);
    expect(headers.location).not.toContain('key');
  });

  it('the callback redeems only with a state and cookie of one start, and quotes no error text it was sent', async () => {
    const callback = consentCallbackHandler(deps);
    const s = await sealer.start('source', 'a@b.c');
    calls.length = 0;
    expect((await callback(get(`https://app.example/api/consent/callback?code=c&state=${s.state}`), ctx())).status).toBe(400);
    expect((await callback(get('https://app.example/api/consent/callback?code=c&state=garbage', `mailmig_consent=${s.cookie}`), ctx())).status).toBe(400);
    const hostile = await callback(get('https://app.example/api/consent/callback?error=%3Cscript%3E&state=x'), ctx());
    expect(hostile.status).toBe(400);
    expect(String(hostile.body)).not.toContain('<script>');
    expect(calls).toEqual([]);
    const ok = await callback(get(`https://app.example/api/consent/callback?code=c&state=${s.state}`, `other=1; mailmig_consent=${s.cookie}`), ctx());
    expect(ok.status).toBe(200);
    expect(calls).toEqual(['source a@b.c']);
  });

  it("the app's CONSENT_NEEDED fix is the consent link of that mailbox on the app's host", () => {
    expect(consentHint(settings)('source', 'a+b@c.d')).toContain('https://app.example/api/consent/start?side=source&mailbox=a%2Bb%40c.d');
    expect(consentHint(loadSettings({ ...VALID_SETTINGS }))('destination', 'x@y.z')).toContain("<the app's URL>/api/consent/start?side=destination&mailbox=x%40y.z");
  });
});

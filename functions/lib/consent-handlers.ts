import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { CONSENT_STATE_TTL_MS, type ConsentSealer } from '../../shared/adapters/auth/consent-state.js';
import type { Settings } from '../../shared/config/settings.js';
import type { ImapSite } from '../../shared/contracts/imap.js';
import { MigrationError } from '../../shared/errors/migration-error.js';
import { redact, registerSecret } from '../../shared/errors/redact.js';

/** What the consent routes use: the dialer's two steps of the authorization-code flow. */
export interface ConsentFlow {
  consentUrl(site: ImapSite, mailbox: string, p: { redirectUri: string; challenge: string; state: string }): Promise<string>;
  redeemConsent(site: ImapSite, mailbox: string, p: { code: string; verifier: string; redirectUri: string }): Promise<void>;
}

export interface ConsentDeps {
  settings: () => Settings;
  sealer: () => ConsentSealer;
  flow: () => ConsentFlow;
}

/** HTTP routes (below the host's /api prefix) of the consent flow. */
export const CONSENT_ROUTES = { start: 'consent/start', callback: 'consent/callback' } as const;
const COOKIE = 'mailmig_consent';
const ADDRESS = /^[^\s@<>"',;]{1,64}@[^\s@<>"',;]{1,255}$/;

const text = (status: number, body: string, headers: Record<string, string> = {}): HttpResponseInit => ({
  status,
  body,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers },
});

/** The callback's URL, as the browser reaches this app (the same for both steps: Entra compares them). */
function redirectUriOf(req: HttpRequest): string {
  return new URL(`/api/${CONSENT_ROUTES.callback}`, req.url).toString();
}

function delegatedSide(settings: Settings, side: string | null): ImapSite | undefined {
  if (side !== 'source' && side !== 'destination') return undefined;
  return settings[side].auth === 'oauth2-delegated' ? side : undefined;
}

/**
 * GET /api/consent/start?mailbox=…&side=… — sends the mailbox's owner to the authority's sign-in
 * (authorization code, PKCE S256). The state (side, mailbox, nonce, 10 minutes) is sealed; the
 * PKCE verifier rides in an HttpOnly cookie scoped to the callback, so a code caught on its way
 * back is useless without the browser that asked for it.
 */
export function consentStartHandler(deps: ConsentDeps) {
  return async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const mailbox = req.query.get('mailbox') ?? '';
    if (!ADDRESS.test(mailbox)) return text(400, 'mailbox must be one email address');
    const site = delegatedSide(deps.settings(), req.query.get('side'));
    if (!site) return text(400, 'side must be source or destination, and that side must use oauth2-delegated');
    const started = await deps.sealer().start(site, mailbox);
    const location = await deps.flow().consentUrl(site, mailbox, { redirectUri: redirectUriOf(req), challenge: started.challenge, state: started.state });
    context.log(`consent started for a ${site} mailbox`);
    return text(302, 'redirecting to sign-in', {
      location,
      'set-cookie': `${COOKIE}=${started.cookie}; Path=/api/${CONSENT_ROUTES.callback}; Max-Age=${CONSENT_STATE_TTL_MS / 1000}; HttpOnly; Secure; SameSite=Lax`,
    });
  };
}

/**
 * GET /api/consent/callback?code=…&state=… — where the authority sends the browser back. Only a
 * state this app sealed, unexpired, with the cookie of the same start, gets as far as MSAL,
 * which redeems the code with the verifier; the grant is kept only if the account that signed
 * in is the mailbox asked for. Answers never quote the code, state or tokens.
 */
export function consentCallbackHandler(deps: ConsentDeps) {
  return async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const clear = { 'set-cookie': `${COOKIE}=; Path=/api/${CONSENT_ROUTES.callback}; Max-Age=0; HttpOnly; Secure; SameSite=Lax` };
    const error = req.query.get('error');
    if (error !== null) return text(400, `sign-in did not complete (${/^[a-z_]{1,64}$/.test(error) ? error : 'error'}): start again from the consent link`, clear);
    const code = req.query.get('code') ?? '';
    const state = req.query.get('state') ?? '';
    const cookie = cookieValue(req.headers.get('cookie') ?? '', COOKIE);
    const opened = code && state && cookie ? await deps.sealer().open(state, cookie) : undefined;
    if (!opened || !delegatedSide(deps.settings(), opened.site)) {
      context.log('consent callback refused: invalid, expired or foreign state');
      return text(400, 'this consent link is invalid or has expired: start again from the consent link, in the same browser', clear);
    }
    // Whatever library error quotes them later is redacted.
    registerSecret(code);
    registerSecret(opened.verifier);
    try {
      await deps.flow().redeemConsent(opened.site, opened.mailbox, { code, verifier: opened.verifier, redirectUri: redirectUriOf(req) });
    } catch (e) {
      if (e instanceof MigrationError && e.code === 'CONSENT_NEEDED') {
        context.log(`consent refused for a ${opened.site} mailbox`);
        return text(403, redact(e.message), clear);
      }
      context.error(redact(`consent for a ${opened.site} mailbox failed: ${(e as Error).message}`));
      return text(502, 'the sign-in could not be recorded: try again later', clear);
    }
    context.log(`consent recorded for a ${opened.site} mailbox`);
    return text(200, `consent recorded for ${opened.mailbox} (${opened.site}): the migration can run; you can close this page`, clear);
  };
}

function cookieValue(header: string, name: string): string {
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return '';
}

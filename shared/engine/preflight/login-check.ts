import type { Settings } from '../../config/settings.js';
import type { ImapSite } from '../../contracts/imap.js';
import type { ImapLogins, OpenedReader } from '../../contracts/imap-ports.js';
import { check, failed, skipped } from './checks.js';
import { classify } from '../../errors/classify.js';
import type { SideCredentials } from './credential-checks.js';
import { withAuthPropagation, type PropagationOptions } from './propagation.js';
import type { PreflightCheck } from './types.js';

export interface LoginOutcome {
  check: PreflightCheck;
  /** Open and authenticated; the caller closes it. */
  session?: OpenedReader;
}

/**
 * Logs in to one side with the mailbox address, as the migration will. A refusal is retried for
 * the propagation window only when the credential itself was proven good: waiting an hour cannot
 * fix a token for the wrong resource, but it can let a fresh FullAccess grant arrive.
 */
export async function checkLogin(
  deps: { settings: Settings; dialer: ImapLogins },
  site: ImapSite,
  mailbox: string,
  cred: SideCredentials,
  propagation: PropagationOptions,
): Promise<LoginOutcome> {
  if (!cred.canLogin) return { check: skipped('login', site, `no ${cred.secretKind === 'password' ? 'password' : 'token'} to log in with (see the checks above)`) };
  const side = site === 'source' ? deps.settings.source : deps.settings.destination;
  const how = side.auth === 'password' ? 'password' : 'XOAUTH2';
  const started = (propagation.now ?? Date.now)();
  let refusals = 0;
  try {
    const opened = await withAuthPropagation(() => deps.dialer.open(site, mailbox), {
      ...propagation,
      windowMs: cred.tokenVerified ? propagation.windowMs : 0,
      onRetry: (err, attempt, waitMs) => {
        refusals = attempt;
        propagation.onRetry?.(err, attempt, waitMs);
      },
    });
    const waited = ((propagation.now ?? Date.now)() - started) / 1000;
    const note = refusals > 0 ? `; refused ${refusals} time(s) first, accepted after ${waited.toFixed(1)} s (a grant was still propagating)` : '';
    return { check: check('login', site, 'pass', `${how} login to ${side.host}:${side.port} as ${mailbox}${note}`), session: opened.session };
  } catch (e) {
    const err = classify(e, site);
    return { check: failed('login', site, err, { settings: deps.settings, mailbox, tokenVerified: cred.tokenVerified, ...(cred.secretName ? { secretName: cred.secretName } : {}), ...(cred.secretKind ? { secretKind: cred.secretKind } : {}) }) };
  }
}

import type { Settings } from '../../shared/config/settings.js';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import type { ImapSite } from '../../shared/contracts/imap.js';
import { CONSENT_ROUTES } from './consent-handlers.js';

/**
 * The app's fix for CONSENT_NEEDED: the consent link of that mailbox, on this app's host when
 * DASHBOARD_URL says where that is (the dashboard is served under the same /api prefix).
 */
export function consentHint(settings: Settings): (site: ImapSite, mailbox: string) => string {
  return (site, mailbox) => {
    const query = `side=${site}&mailbox=${encodeURIComponent(mailbox)}`;
    const url = settings.dashboardUrl && /^https?:\/\//.test(settings.dashboardUrl) ? new URL(`/api/${CONSENT_ROUTES.start}?${query}`, settings.dashboardUrl).toString() : `<the app's URL>/api/${CONSENT_ROUTES.start}?${query}`;
    return `Have the mailbox's owner open ${url} (with the ${TRIGGERS.httpConsentStart} function key as ?code=) and sign in as ${mailbox}`;
  };
}

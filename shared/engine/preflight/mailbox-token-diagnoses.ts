import type { SideSettings } from '../../config/settings.js';
import type { ImapSite } from '../../contracts/imap.js';
import type { DiagnosisContext, DiagnosisRule } from './diagnoses.js';

// Cause and fix for the sides whose token names the mailbox. Google Workspace
// (google-service-account): the service account's key, its domain-wide delegation, and IMAP for
// the user; oauth2-delegated: the owner's consent. Checked before the general rules, which speak
// of Entra apps and Exchange.

const sideOf = (c: DiagnosisContext): SideSettings => (c.side === 'destination' ? c.settings.destination : c.settings.source);
const prefix = (c: DiagnosisContext): string => ((c.side ?? 'source') satisfies ImapSite).toUpperCase();
const isGoogle = (c: DiagnosisContext): boolean => sideOf(c).auth === 'google-service-account';

const DELEGATION = 'Google Admin console > Security > Access and data control > API controls > Domain-wide delegation';

export const MAILBOX_TOKEN_DIAGNOSES: readonly DiagnosisRule[] = [
  {
    key: 'google:delegation',
    codes: ['TOKEN_INVALID_CLIENT'],
    text: /unauthorized_client|delegation is not allowed/i,
    when: isGoogle,
    diagnose: (c) => ({
      cause: `Google refused to issue a token for the service account acting as the mailbox: domain-wide delegation is not allowed for its client ID, or not for the scope ${sideOf(c).tokenScope}.`,
      fix: `In the ${DELEGATION}: Add new, client ID = the "client_id" of the key file stored as ${c.secretName ?? `${prefix(c)}_SERVICE_ACCOUNT_KEY_NAME`}, OAuth scopes = ${sideOf(c).tokenScope}. Changes can take some minutes (up to 24 h) to reach every Google server.`,
    }),
  },
  {
    key: 'google:key',
    codes: ['TOKEN_INVALID_CLIENT'],
    when: isGoogle,
    diagnose: (c) => ({
      cause: `the service account key stored as "${c.secretName ?? ''}" is not usable: not a JSON key file, or a key Google no longer accepts (deleted, disabled, or of another account).`,
      fix: `Google Cloud console > IAM & Admin > Service accounts > the account > Keys > Add key > Create new key > JSON, then store the whole file: az keyvault secret set --vault-name <vault> --name ${c.secretName ?? '<secret name>'} --file key.json (or put its text under that name in LOCAL_SECRETS_FILE); delete the old key.`,
    }),
  },
  {
    key: 'google:imap-off',
    codes: ['IMAP_AUTH_FAILED'],
    text: /not enabled for IMAP|IMAP access is disabled|enable IMAP/i,
    when: isGoogle,
    diagnose: (c) => ({
      cause: `IMAP is turned off for ${c.mailbox ?? 'the mailbox'} (or for its organisational unit).`,
      fix: 'Google Admin console > Apps > Google Workspace > Gmail > End User Access > POP and IMAP access: enable IMAP for the unit of this user (or use the scope https://www.googleapis.com/auth/gmail.imap_admin, which ignores this setting, in SOURCE_TOKEN_SCOPE and in the delegation).',
    }),
  },
  {
    key: 'consent-needed',
    codes: ['CONSENT_NEEDED'],
    diagnose: (c) => ({
      cause: `${c.mailbox ?? 'the mailbox'} has no usable consent (oauth2-delegated): its owner has not signed in yet, or the grant was revoked or expired (password reset, sign-out of all sessions, 90 days unused).`,
      fix: `Run: mailmig login --csv <the CSV> --side ${c.side ?? 'source'}, and have the owner open the URL shown and enter the code. If sign-in is blocked by Conditional Access (device code flow not allowed), an admin must allow it for this app, or the owner signs in from a compliant device.`,
    }),
  },
  {
    key: 'google:unknown-user',
    codes: ['IMAP_AUTH_FAILED'],
    when: isGoogle,
    diagnose: (c) => ({
      cause: `Google did not let the service account in as ${c.mailbox ?? 'the mailbox'}: the address is not a user of the Workspace domain, is suspended, or its token was refused.`,
      fix: 'Check the address in the CSV against Google Admin console > Directory > Users; a suspended user must be restored before the migration.',
    }),
  },
];

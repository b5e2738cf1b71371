import type { Settings, SideSettings } from '../../config/settings.js';
import type { CertificateReader } from '../../contracts/certificate-reader.js';
import type { SecretStore } from '../../contracts/secret-store.js';
import type { ImapSite } from '../../contracts/imap.js';
import type { ImapLogins } from '../../contracts/imap-ports.js';
import { passwordSecretName } from '../../domain/secrets/password-secret-name.js';
import { readTokenClaims } from '../../domain/tokens/read-token-claims.js';
import { check, diagnosed, failed, skipped, type FailureContext } from './checks.js';
import { classify } from '../../errors/classify.js';
import type { SecretKind } from './diagnoses.js';
import { checkTokenClaims } from './token-claims.js';
import { MigrationError } from '../../errors/migration-error.js';
import type { PreflightCheck } from './types.js';

/**
 * One side's credential, checked the way the engine will use it: the secret or certificate that
 * Key Vault holds under the configured name, the token Entra issues for it (through the same
 * AppTokenProvider the IMAP logins use), and what that token says. For password auth: the
 * mailbox's password secret.
 */

export interface SideCredentials {
  checks: PreflightCheck[];
  /** A token or password was obtained: a login can be tried. */
  canLogin: boolean;
  /** The token's claims were read and right (always true for passwords): a refusal is about the mailbox. */
  tokenVerified: boolean;
  secretName?: string;
  secretKind?: SecretKind;
  /** Failed on something that may pass a moment later (Key Vault or Entra unavailable): not memoised. */
  transient: boolean;
}

export interface CredentialDeps {
  settings: Settings;
  secrets: SecretStore;
  dialer: ImapLogins;
  readCertificate: CertificateReader;
}

const CERT_WARN_DAYS = 30;
const DAY_MS = 86_400_000;

function sideSettings(settings: Settings, site: ImapSite): SideSettings {
  return site === 'source' ? settings.source : settings.destination;
}

/** Reads the credential; for a certificate also proves it parses and is within its validity. */
async function secretCheck(deps: CredentialDeps, site: ImapSite, name: string, kind: SecretKind, ctx: FailureContext): Promise<PreflightCheck> {
  const what = kind === 'certificate' ? 'certificate' : kind === 'password' ? 'password secret' : 'client secret';
  const where = deps.settings.keyVaultUrl ? 'Key Vault' : 'LOCAL_SECRETS_FILE';
  const value = await deps.secrets.getSecret(name);
  if (kind !== 'certificate') return check('secret', site, 'pass', `${what} "${name}" found in ${where}`);
  const { subject, thumbprintSha256, validTo } = deps.readCertificate(value, name);
  const base = `${what} "${name}" found in ${where}: PEM with private key, subject ${subject}, SHA-256 thumbprint ${thumbprintSha256}, valid until ${validTo.toISOString()}`;
  const left = validTo.getTime() - Date.now();
  if (left <= 0) return diagnosed('secret', site, 'fail', { code: 'CERTIFICATE_EXPIRED', message: `it was valid until ${validTo.toISOString()}`, detail: base }, ctx);
  if (left < CERT_WARN_DAYS * DAY_MS) {
    return diagnosed('secret', site, 'warn', { code: 'CERTIFICATE_EXPIRES_SOON', message: `it is valid until ${validTo.toISOString()}`, detail: base }, ctx);
  }
  return check('secret', site, 'pass', base);
}

async function oauthCredentials(deps: CredentialDeps, site: ImapSite, side: SideSettings): Promise<SideCredentials> {
  // The same precedence as AppTokenProvider: a certificate wins over a secret.
  const secretKind: SecretKind = side.clientCertName ? 'certificate' : 'client-secret';
  const secretName = side.clientCertName ?? side.clientSecretName ?? '';
  const ctx: FailureContext = { settings: deps.settings, secretName, secretKind };
  const out: SideCredentials = { checks: [], canLogin: false, tokenVerified: false, secretName, secretKind, transient: false };
  const transient = (code: string): boolean => ['KEY_VAULT_UNAVAILABLE', 'TOKEN_REQUEST_FAILED', 'TOKEN_THROTTLED'].includes(code);

  try {
    const c = await secretCheck(deps, site, secretName, secretKind, ctx);
    out.checks.push(c);
    if (c.status === 'fail') {
      out.checks.push(skipped('token', site, 'no usable credential (see the secret check)'), skipped('token-claims', site, 'no token'));
      return out;
    }
  } catch (e) {
    const err = classify(e, 'keyvault');
    out.transient = transient(err.code);
    out.checks.push(failed('secret', site, err, ctx), skipped('token', site, 'no credential (see the secret check)'), skipped('token-claims', site, 'no token'));
    return out;
  }

  let token: string;
  try {
    token = (await deps.dialer.token(site)).token;
    out.checks.push(check('token', site, 'pass', `app-only token issued for ${side.tokenScope} to client ${side.clientId ?? ''} by ${side.authorityHost}`));
    out.canLogin = true;
  } catch (e) {
    const err = classify(e, 'token');
    out.transient = transient(err.code);
    out.checks.push(failed('token', site, err, ctx), skipped('token-claims', site, 'no token'));
    return out;
  }

  const verdict = checkTokenClaims(readTokenClaims(token), side);
  const [first, ...rest] = verdict.problems;
  if (!first) {
    out.tokenVerified = true;
    out.checks.push(check('token-claims', site, 'pass', verdict.summary));
  } else {
    const all = [first, ...rest];
    // One row per side; the first problem decides the cause, the detail names them all.
    out.checks.push(diagnosed('token-claims', site, 'fail', { code: first.code, message: all.map((p) => p.detail).join('; '), detail: `${all.map((p) => p.detail).join('; ')} (${verdict.summary})` }, ctx));
  }
  return out;
}

async function passwordCredentials(deps: CredentialDeps, site: ImapSite, side: SideSettings, mailbox: string): Promise<SideCredentials> {
  const secretName = passwordSecretName(side.passwordSecretTemplate ?? '', mailbox);
  const ctx: FailureContext = { settings: deps.settings, secretName, secretKind: 'password', mailbox };
  try {
    const c = await secretCheck(deps, site, secretName, 'password', ctx);
    return { checks: [c], canLogin: true, tokenVerified: true, secretName, secretKind: 'password', transient: false };
  } catch (e) {
    const err = classify(e, 'keyvault');
    return { checks: [failed('secret', site, err, ctx)], canLogin: false, tokenVerified: false, secretName, secretKind: 'password', transient: err.code === 'KEY_VAULT_UNAVAILABLE' };
  }
}

/**
 * Sides whose token names the mailbox: google-service-account (the key file, then a token for
 * this mailbox: the key parsed, the delegation, the scope, the user) and oauth2-delegated (no
 * credential of its own: the owner's consent, as the logins use it).
 */
async function serviceAccountCredentials(deps: CredentialDeps, site: ImapSite, side: SideSettings, mailbox: string): Promise<SideCredentials> {
  const secretName = side.serviceAccountKeyName ?? '';
  const ctx: FailureContext = { settings: deps.settings, secretName, mailbox };
  const out: SideCredentials = { checks: [], canLogin: false, tokenVerified: false, secretName, transient: false };
  const transient = (code: string): boolean => ['KEY_VAULT_UNAVAILABLE', 'TOKEN_REQUEST_FAILED', 'TOKEN_THROTTLED'].includes(code);
  if (side.auth === 'google-service-account') {
    try {
      // Read as the logins read it; whether it is a usable key shows in the token check.
      await deps.secrets.getSecret(secretName);
      out.checks.push(check('secret', site, 'pass', `service account key "${secretName}" found in ${deps.settings.keyVaultUrl ? 'Key Vault' : 'LOCAL_SECRETS_FILE'}`));
    } catch (e) {
      const err = classify(e, 'keyvault');
      out.transient = transient(err.code);
      out.checks.push(failed('secret', site, err, ctx), skipped('token', site, 'no usable key (see the secret check)'));
      return out;
    }
  }
  try {
    if (!deps.dialer.mailboxToken) throw new MigrationError('INTERNAL', 'permanent', 'this driver cannot get a mailbox token');
    await deps.dialer.mailboxToken(site, mailbox);
    const how = side.auth === 'oauth2-delegated' ? "the owner's consent" : 'domain-wide delegation';
    out.checks.push(check('token', site, 'pass', `token issued for ${mailbox} (${how}, scope ${side.tokenScope})`));
    out.canLogin = true;
    out.tokenVerified = true;
  } catch (e) {
    const err = classify(e, 'token');
    out.transient = transient(err.code);
    out.checks.push(failed('token', site, err, ctx));
  }
  return out;
}

/**
 * App credentials are the same for every mailbox of a batch: checked once per side and shared,
 * so a wrong secret costs one Entra request, not one per mailbox. Transient failures are asked
 * again by the next mailbox.
 */
export class CredentialMemo {
  private readonly bySide = new Map<ImapSite, Promise<SideCredentials>>();

  get(deps: CredentialDeps, site: ImapSite, mailbox: string): Promise<SideCredentials> {
    const side = sideSettings(deps.settings, site);
    if (side.auth === 'password') return passwordCredentials(deps, site, side, mailbox);
    if (side.auth === 'google-service-account' || side.auth === 'oauth2-delegated') return serviceAccountCredentials(deps, site, side, mailbox);
    let p = this.bySide.get(site);
    if (!p) {
      p = oauthCredentials(deps, site, side);
      this.bySide.set(site, p);
      void p.then(
        (r) => {
          if (r.transient) this.bySide.delete(site);
        },
        () => this.bySide.delete(site),
      );
    }
    return p;
  }
}

import type { SecretStore } from '../../contracts/secret-store.js';
import type { CertificateReader } from '../../contracts/certificate-reader.js';
import type { MailboxRow } from '../../contracts/mailbox.js';
import type { EngineDeps } from '../engine-deps.js';
import type { ImapLogins } from '../../contracts/imap-ports.js';
import { failed } from './checks.js';
import { classify } from '../../errors/classify.js';
import { checkContent } from './content-checks.js';
import { CredentialMemo } from './credential-checks.js';
import { checkLogin } from './login-check.js';
import type { PropagationOptions } from './propagation.js';
import type { MailboxPreflight } from './types.js';

export type PreflightDeps = EngineDeps & { dialer: ImapLogins; secrets: SecretStore; readCertificate: CertificateReader };

export interface PreflightOptions {
  /** Overrides AUTH_PROPAGATION_WINDOW_MINUTES (e.g. 0 for an HTTP dry run that must answer quickly). */
  propagationWindowMs?: number;
  /** Back-off, clock and sleep of the propagation retry (tests inject them). */
  propagation?: Omit<PropagationOptions, 'windowMs' | 'onRetry'>;
  /** Shared across a batch so app credentials are checked once per side. */
  credentials?: CredentialMemo;
  /** Messages per size FETCH (default 5,000). */
  sizeWindow?: number;
}

/**
 * Everything that would stop or spoil this mailbox's migration, found without copying anything:
 * each side's credential and token, the IMAP logins with the mailbox addresses, then counts,
 * sizes and folder names. A failed check skips only what depends on it, so one run shows every
 * problem that can be seen.
 */
export async function preflightMailbox(deps: PreflightDeps, row: MailboxRow, opts: PreflightOptions = {}): Promise<MailboxPreflight> {
  const started = Date.now();
  const memo = opts.credentials ?? new CredentialMemo();
  const propagation: PropagationOptions = {
    ...opts.propagation,
    windowMs: opts.propagationWindowMs ?? deps.settings.authPropagationWindowMinutes * 60_000,
    onRetry: (err, attempt, waitMs) => deps.log.info(`preflight ${row.sourceEmail} -> ${row.destinationEmail}: ${err.code} (refusal ${attempt}), a grant may still be propagating; trying again in ${Math.round(waitMs / 1000)} s`),
  };
  const [sourceCred, destinationCred] = await Promise.all([memo.get(deps, 'source', row.sourceEmail), memo.get(deps, 'destination', row.destinationEmail)]);
  // Both sides at once: each may wait out its own propagation window.
  const [source, destination] = await Promise.all([
    checkLogin(deps, 'source', row.sourceEmail, sourceCred, propagation),
    checkLogin(deps, 'destination', row.destinationEmail, destinationCred, propagation),
  ]);
  try {
    // Whatever goes wrong while looking at the content is this mailbox's finding, not the batch's end.
    const content = await checkContent(deps.settings, row, source.session, destination.session, opts.sizeWindow).catch((e: unknown) => ({
      checks: [failed('folders', 'source', classify(e, 'engine'), { settings: deps.settings, mailbox: row.sourceEmail })],
      stats: undefined,
    }));
    const checks = [...sourceCred.checks, ...destinationCred.checks, source.check, destination.check, ...content.checks];
    return {
      sourceEmail: row.sourceEmail,
      destinationEmail: row.destinationEmail,
      ok: !checks.some((c) => c.status === 'fail'),
      checks,
      ...(content.stats ? { stats: content.stats } : {}),
      durationMs: Date.now() - started,
    };
  } finally {
    await Promise.all([source.session?.close(), destination.session?.close()]);
  }
}

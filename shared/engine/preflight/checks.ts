import { MigrationError } from '../../errors/migration-error.js';
import { redact } from '../../errors/redact.js';
import type { ImapSite } from '../../contracts/imap.js';
import { diagnose, type DiagnosisContext } from './diagnoses.js';
import type { CheckId, CheckStatus, PreflightCheck } from './types.js';

/** Builders for check rows: every text leaves through redact(), every failure gets a diagnosis. */

const sideField = (side: ImapSite | undefined): { side?: ImapSite } => (side ? { side } : {});

export function check(id: CheckId, side: ImapSite | undefined, status: CheckStatus, detail: string): PreflightCheck {
  return { id, ...sideField(side), status, detail: redact(detail) };
}

export const skipped = (id: CheckId, side: ImapSite | undefined, why: string): PreflightCheck => check(id, side, 'skipped', why);

/**
 * Entra's errors repeat themselves (MSAL quotes the description twice) and carry trace lines:
 * keep the AADSTS statement and the correlation id, which Microsoft support asks for. Other
 * errors keep their first line, which holds the server's own answer.
 */
export function compactMessage(message: string, max = 400): string {
  const correlation = /Correlation ID: ([0-9a-f-]{36})/i.exec(message)?.[1];
  const firstLine = message.split(/\r?\n/)[0] ?? message;
  const aadsts = /AADSTS\d+:[^\r\n|]*/.exec(message)?.[0];
  // "token endpoint: invalid_client: Error(s): 7000215 - Timestamp: … - Description: AADSTS7000215: …"
  let text = aadsts ? `${firstLine.split(':')[0] ?? ''}: ${aadsts.trim()}` : firstLine;
  text = text.replace(/\s*-?\s*(Trace ID|Correlation ID|Timestamp):.*$/i, '').trim();
  if (correlation) text += ` (correlation id ${correlation})`;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export type FailureContext = Omit<DiagnosisContext, 'check' | 'side' | 'code' | 'message'>;

/** A failed (or warning) row with its code, cause and fix. */
export function diagnosed(
  id: CheckId,
  side: ImapSite | undefined,
  status: 'fail' | 'warn',
  finding: { code: string; message: string; detail?: string },
  ctx: FailureContext,
): PreflightCheck {
  const message = compactMessage(redact(finding.message));
  const d = diagnose({ ...ctx, check: id, ...sideField(side), code: finding.code, message });
  return { ...check(id, side, status, finding.detail ?? message), code: finding.code, cause: d.cause, fix: d.fix };
}

export function failed(id: CheckId, side: ImapSite | undefined, err: MigrationError, ctx: FailureContext): PreflightCheck {
  return diagnosed(id, side, 'fail', { code: err.code, message: err.message }, ctx);
}

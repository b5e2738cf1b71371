import type { BatchReport, MailboxReport } from '../../contracts/report.js';
import { formatBytes } from '../reports/format-bytes.js';
import { errorFix } from '../reports/error-fix.js';

/**
 * What a webhook receives: a generic JSON object whose `text` is a one-line summary (Slack and
 * Teams incoming webhooks show `text`), and the same facts as fields for anything that parses it.
 * Counts, codes and addresses only: no secret, no message content (no subject, no body). Mailbox
 * text that reaches it (an error message quoting a folder name) stays plain data in a field; the
 * `text` line is built from our words, addresses and codes, escaped for Slack's markup.
 */
export type NotificationEvent = 'pass-ended' | 'batch-ended' | 'mailbox-failed';

export interface NotificationTotals {
  mailboxes: number;
  completed: number;
  withIssues: number;
  failed: number;
  copied: number;
  copiedBytes: number;
}

export interface Notification {
  source: 'mailmig';
  event: NotificationEvent;
  text: string;
  driver: 'functions' | 'cli';
  batchId: string;
  /** The Functions app's pass number (1 = first); the CLI counts no passes. */
  pass: number | null;
  at: string;
  totals?: NotificationTotals;
  verification?: { passed: number; failed: number };
  mailbox?: { line: number | null; sourceEmail: string; destinationEmail: string; error: { code: string; message: string; fix: string } };
}

export interface NotificationOrigin {
  driver: 'functions' | 'cli';
  batchId: string;
  pass?: number;
  at: Date;
}

/** Longest error message carried: a server's answer can be long, a chat line should not be. */
const MAX_MESSAGE_CHARS = 500;

/**
 * Slack reads `<…>` as links and mentions (`<!channel>`) and `&` as an entity: escaped as Slack
 * documents. Controls (a CR/LF forging a second line) become spaces.
 */
export function chatSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c);
}

const passName = (o: NotificationOrigin): string => (o.pass === undefined ? 'a pass' : `pass ${o.pass}`);

/** A pass (or, after the cut-over, the whole batch) has ended and its report is written. */
export function passEnded(report: BatchReport, origin: NotificationOrigin, final: boolean): Notification {
  const t = report.totals;
  const totals: NotificationTotals = { mailboxes: t.mailboxes, completed: t.completed, withIssues: t.withIssues, failed: t.failed, copied: t.copied, copiedBytes: t.copiedBytes };
  const checked = report.mailboxes.filter((m) => m.verification);
  const verification = final ? { passed: checked.filter((m) => m.verification?.result === 'PASS').length, failed: checked.filter((m) => m.verification?.result === 'FAIL').length } : undefined;
  const what = final ? `batch ${origin.batchId} cut over and closed` : `${passName(origin)} of batch ${origin.batchId} ended`;
  const stopped = report.stopped ? ` Stopped early on ${report.stopped.code}.` : '';
  const verified = verification ? ` Verification PASS ${verification.passed}, FAIL ${verification.failed}.` : '';
  const text = `mailmig: ${what}: ${t.mailboxes} mailboxes, ${t.completed} completed, ${t.withIssues} with issues, ${t.failed} failed; ${t.copied} messages (${formatBytes(t.copiedBytes)}) copied in all.${verified}${stopped}`;
  return {
    source: 'mailmig',
    event: final ? 'batch-ended' : 'pass-ended',
    text: chatSafe(text),
    driver: origin.driver,
    batchId: origin.batchId,
    pass: origin.pass ?? null,
    at: origin.at.toISOString(),
    totals,
    ...(verification ? { verification } : {}),
  };
}

/** A mailbox's pass failed (its report is written): which, why, and what to do. */
export function mailboxFailed(report: MailboxReport, origin: NotificationOrigin, line?: number): Notification {
  const cause = report.error ?? report.folders.find((f) => f.error)?.error ?? { code: 'INTERNAL', message: 'failed' };
  const error = { code: cause.code, message: cause.message.slice(0, MAX_MESSAGE_CHARS), fix: errorFix(cause.code) };
  const text = `mailmig: mailbox ${report.sourceEmail} -> ${report.destinationEmail} failed in ${passName(origin)} of batch ${origin.batchId}: ${cause.code}. ${error.fix}`;
  return {
    source: 'mailmig',
    event: 'mailbox-failed',
    text: chatSafe(text),
    driver: origin.driver,
    batchId: origin.batchId,
    pass: origin.pass ?? null,
    at: origin.at.toISOString(),
    mailbox: { line: line ?? null, sourceEmail: report.sourceEmail, destinationEmail: report.destinationEmail, error },
  };
}

/** Mailboxes the batch never started (it stopped on a shared cause) are told once, in the pass's notification. */
export const worthTelling = (report: MailboxReport): boolean => report.state === 'failed' && report.error?.code !== 'BATCH_STOPPED';

import pLimit from 'p-limit';
import type { MailboxRow } from '../../contracts/mailbox.js';
import { CredentialMemo } from './credential-checks.js';
import { preflightMailbox, type PreflightDeps, type PreflightOptions } from './preflight-mailbox.js';
import type { MailboxPreflight } from './types.js';

export interface PreflightReport {
  startedAt: string;
  finishedAt: string;
  mailboxes: MailboxPreflight[];
  totals: { mailboxes: number; passed: number; failed: number; withWarnings: number };
}

/** Preflight of many mailboxes, a bounded number at a time, app credentials checked once per side. */
export async function preflightBatch(
  deps: PreflightDeps,
  rows: readonly MailboxRow[],
  opts: PreflightOptions & { concurrency: number; onMailboxDone?: (m: MailboxPreflight) => void },
): Promise<PreflightReport> {
  const startedAt = new Date().toISOString();
  const { concurrency, onMailboxDone, ...mailboxOpts } = opts;
  const shared: PreflightOptions = { ...mailboxOpts, credentials: mailboxOpts.credentials ?? new CredentialMemo() };
  const limit = pLimit(concurrency);
  const mailboxes = await Promise.all(
    rows.map((row) =>
      limit(async () => {
        const m = await preflightMailbox(deps, row, shared);
        onMailboxDone?.(m);
        return m;
      }),
    ),
  );
  const failed = mailboxes.filter((m) => !m.ok).length;
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    mailboxes,
    totals: {
      mailboxes: mailboxes.length,
      passed: mailboxes.length - failed,
      failed,
      withWarnings: mailboxes.filter((m) => m.ok && m.checks.some((c) => c.status === 'warn')).length,
    },
  };
}

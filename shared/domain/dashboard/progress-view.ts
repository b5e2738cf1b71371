import type { MailboxReport } from '../../contracts/report.js';
import type { FolderCheckpoint } from '../checkpoints/folder-checkpoint.js';
import { errorFix } from '../reports/error-fix.js';
import { windowEnd, type BudgetLimits, type BudgetWindow } from '../budget/byte-budget.js';

/**
 * The live view of batches both drivers give (the app's dashboard, `mailmig status`): counts,
 * states, codes and addresses. Never a secret, never message content (no subject): folder names
 * appear (in errors), as data for the renderer to keep inert.
 */
export type MailboxState = 'pending' | 'running' | 'completed' | 'completed-with-issues' | 'failed' | 'interrupted';

export interface ProgressError {
  code: string;
  message: string;
  fix: string;
  /** The source folder the error is about, when it is one folder's. */
  folder?: string;
}

/**
 * A running mailbox's byte budget (DailyBytes, DAILY_BYTES_PER_MAILBOX): what it has read from
 * its source in the current window, and when the next window opens. Once `usedBytes` is near
 * `limitBytes` its folders wait for `resetsAt` (a folder stops before the message that would not fit).
 */
export interface BudgetUse {
  usedBytes: number;
  limitBytes: number;
  /** When the current window ends; null when no window is open (nothing read since the last one ended). */
  resetsAt: string | null;
}

export interface MailboxProgress {
  line: number | null;
  sourceEmail: string;
  destinationEmail: string;
  state: MailboxState;
  /** Folders with a checkpoint (running) or reported (finished); total once known. */
  folders: { done: number; total: number | null };
  /** While running: the source folder the copy last wrote messages for (mailbox text: keep inert). */
  currentFolder: string | null;
  /** Copied in all passes (the ledger's totals). */
  messages: number;
  bytes: number;
  /** This pass's average, once the mailbox finished it. */
  messagesPerSecond: number | null;
  errors: ProgressError[];
  /** The cut-over's comparison, with the message identities it used (see the README on identity). */
  verification: { result: 'PASS' | 'FAIL'; identity: string | null } | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** While running under a byte budget: its use in the current window. */
  budget: BudgetUse | null;
}

export interface BatchProgress {
  id: string;
  /** Functions: the orchestration's runtime status; CLI: running, finished or interrupted. */
  status: string;
  /** running, reporting, waiting (between passes), closed — when the driver knows it. */
  phase: string | null;
  pass: number | null;
  mode: string | null;
  total: number;
  startedAt: string | null;
  counts: { pending: number; running: number; completed: number; withIssues: number; failed: number; messages: number; bytes: number };
  /** The page of mailboxes shown: rows offset … offset + mailboxes.length of total. */
  offset: number;
  mailboxes: MailboxProgress[];
  /** Where the batch's latest report is, when written. */
  reportUrl: string | null;
}

export interface ProgressView {
  generatedAt: string;
  batches: BatchProgress[];
}

/** Errors shown per mailbox: the first few tell the story, the report has them all. */
const MAX_ERRORS = 5;

export function reportErrors(r: MailboxReport): ProgressError[] {
  const out: ProgressError[] = [];
  if (r.error) out.push({ code: r.error.code, message: r.error.message, fix: errorFix(r.error.code) });
  for (const f of r.folders) if (f.error) out.push({ code: f.error.code, message: f.error.message, fix: errorFix(f.error.code), folder: f.sourcePath });
  if (r.verification?.error) out.push({ code: r.verification.error.code, message: r.verification.error.message, fix: errorFix(r.verification.error.code) });
  return out.slice(0, MAX_ERRORS);
}

export interface MailboxFacts {
  row: { line: number | null; sourceEmail: string; destinationEmail: string };
  /** Where this pass is for the mailbox, as the driver sees it. */
  run: 'not-started' | 'running' | 'finished' | 'interrupted';
  /** This pass's report (run 'finished'), or the last pass's (shown while the next has not started). */
  report?: MailboxReport;
  /** The ledger's folders of the pair, read while the pass runs. */
  checkpoints?: readonly FolderCheckpoint[];
  /** When the pass's run of this mailbox started, if known. */
  startedAt?: string;
  /** Under a byte budget: the ledger's window of the mailbox, the pair's limits, and the time now (ms). */
  budget?: { window?: BudgetWindow; limits: BudgetLimits; nowMs: number };
}

/** The budget's use as the ledger records it; null without a budget. */
export function budgetUse(b: MailboxFacts['budget']): BudgetUse | null {
  if (!b || b.limits.bytesPerWindow <= 0) return null;
  const end = b.window ? windowEnd(b.window, b.limits) : 0;
  const open = b.window !== undefined && b.nowMs < end;
  return { usedBytes: open ? b.window!.bytes : 0, limitBytes: b.limits.bytesPerWindow, resetsAt: open ? new Date(end).toISOString() : null };
}

/** One mailbox's line of the view, from what the driver found. */
export function mailboxProgress(f: MailboxFacts): MailboxProgress {
  const base = { line: f.row.line, sourceEmail: f.row.sourceEmail, destinationEmail: f.row.destinationEmail };
  const r = f.report;
  if (f.run === 'finished' && r) {
    const secs = (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000;
    return {
      ...base,
      state: r.state,
      folders: { done: r.totals.folders, total: r.totals.folders },
      currentFolder: null,
      messages: r.totals.copied,
      bytes: r.totals.copiedBytes,
      // Nothing copied (a failed mailbox, a cut-over with nothing new) has no rate to show.
      messagesPerSecond: secs > 0 && r.totals.copiedThisPass > 0 ? Math.round((r.totals.copiedThisPass / secs) * 10) / 10 : null,
      errors: reportErrors(r),
      verification: r.verification ? { result: r.verification.result, identity: [...new Set(r.verification.folders.map((v) => v.identity))].join(', ') || null } : null,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      budget: null,
    };
  }
  const cps = f.checkpoints ?? [];
  const fromLedger = cps.length > 0;
  // Folders that have copied nothing (an empty INBOX finishing) say nothing about where the copy is.
  const writing = f.run === 'running' ? cps.filter((c) => c.copied > 0) : [];
  const latest = writing.length > 0 ? writing.reduce((a, b) => (b.updatedAt > a.updatedAt ? b : a)) : undefined;
  return {
    ...base,
    state: f.run === 'running' ? 'running' : f.run === 'interrupted' ? 'interrupted' : 'pending',
    folders: { done: fromLedger ? cps.length : (r?.totals.folders ?? 0), total: r?.totals.folders ?? null },
    currentFolder: latest?.sourcePath ?? null,
    messages: fromLedger ? cps.reduce((n, c) => n + c.copied, 0) : (r?.totals.copied ?? 0),
    bytes: fromLedger ? cps.reduce((n, c) => n + c.copiedBytes, 0) : (r?.totals.copiedBytes ?? 0),
    messagesPerSecond: null,
    errors: [],
    verification: null,
    startedAt: f.startedAt ?? null,
    finishedAt: null,
    budget: f.run === 'running' ? budgetUse(f.budget) : null,
  };
}

/** A batch's counts from its page of mailboxes (the app adds the orchestration's own totals). */
export function countMailboxes(mailboxes: readonly MailboxProgress[]): BatchProgress['counts'] {
  const c = { pending: 0, running: 0, completed: 0, withIssues: 0, failed: 0, messages: 0, bytes: 0 };
  for (const m of mailboxes) {
    if (m.state === 'pending' || m.state === 'interrupted') c.pending += 1;
    else if (m.state === 'running') c.running += 1;
    else if (m.state === 'completed') c.completed += 1;
    else if (m.state === 'completed-with-issues') c.withIssues += 1;
    else c.failed += 1;
    c.messages += m.messages;
    c.bytes += m.bytes;
  }
  return c;
}

import type { ByteBudgetReport } from '../../contracts/report.js';
import { formatBytes } from './format-bytes.js';

/** The byte budget a mailbox's pass ran under, in one sentence for the reports and the terminal. */
export function describeBudget(b: ByteBudgetReport): string {
  const per = b.windowSeconds === 86_400 ? 'a day' : `per ${b.windowSeconds} s`;
  const head = `byte budget ${formatBytes(b.bytesPerWindow)} ${per}`;
  if (b.resumedAt.length === 0) return `${head}: not reached`;
  return `${head}: paused by it ${b.resumedAt.length} time(s), resumed at ${b.resumedAt.join(', ')} (UTC)`;
}

/** What a driver says when a mailbox's budget runs out: it names the setting and the time it resumes (UTC, ISO 8601). */
export function budgetPauseLine(sourceEmail: string, resumesAt: string): string {
  return `${sourceEmail}: paused by the daily byte budget (DAILY_BYTES_PER_MAILBOX) until ${resumesAt}; resumes by itself`;
}

import { formatMessageSize as mb } from '../../domain/reports/format-bytes.js';
import { check } from './checks.js';
import type { PreflightCheck, PreflightStats } from './types.js';

/**
 * Under a byte budget (DAILY_BYTES_PER_MAILBOX or the row's DailyBytes): how many windows this
 * mailbox's bytes need, so the admin knows before the run that it will pause and for how long.
 * No row without a budget.
 */
export function byteBudgetCheck(dailyBytes: number | undefined, windowMs: number, stats: PreflightStats): PreflightCheck[] {
  if (!dailyBytes) return [];
  const windows = Math.max(1, Math.ceil(stats.bytes / dailyBytes));
  const per = windowMs === 86_400_000 ? 'a day' : `per ${windowMs / 1000} s`;
  const waits = windows === 1 ? 'no pause expected' : `${windows} windows: the mailbox pauses ${windows - 1} time(s), at least ${formatSpan((windows - 1) * windowMs)} in all`;
  return [check('byte-budget', 'source', 'pass', `byte budget ${mb(dailyBytes)} ${per}: ${mb(stats.bytes)} need ${waits}`)];
}

function formatSpan(ms: number): string {
  const s = ms / 1000;
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172_800 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86_400).toFixed(1)} days`;
}

import type { ByteBudgetReport, FolderReport } from '../../contracts/report.js';
import type { EngineDeps } from '../engine-deps.js';
import type { MailboxControls } from '../../contracts/mailbox-controls.js';
import { budgetLimits } from '../spend-budget.js';

/**
 * The byte budget a pass ran under, for the report: when the mailbox resumed after each pause
 * (its folders wait for the same window, so one time per window however many folders waited).
 * Nothing without a budget.
 */
export function reportedBudget(deps: Pick<EngineDeps, 'settings'>, of: { controls?: MailboxControls }, folders: readonly Pick<FolderReport, 'budgetPauses'>[]): { byteBudget?: ByteBudgetReport } {
  const { bytesPerWindow, windowMs } = budgetLimits(deps, of);
  if (bytesPerWindow <= 0) return {};
  const resumedAt = [...new Set(folders.flatMap((f) => f.budgetPauses ?? []))].sort();
  return { byteBudget: { bytesPerWindow, windowSeconds: windowMs / 1000, resumedAt } };
}

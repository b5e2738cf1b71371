import type { CheckpointStore } from '../domain/checkpoints/checkpoint-store.js';
import type { MailboxFacts } from '../domain/dashboard/progress-view.js';
import type { MailboxControls } from '../contracts/mailbox-controls.js';
import { mailboxPair } from '../contracts/mailbox-pair.js';
import type { EngineDeps } from './engine-deps.js';
import { budgetLimits } from './spend-budget.js';

/**
 * A running mailbox's byte budget as both live views show it (the app's dashboard, `mailmig
 * status`): the pair's limits and the window its ledger records. Undefined without a budget: the
 * ledger is then not read.
 */
export async function budgetFacts(deps: Pick<EngineDeps, 'settings'>, checkpoints: Pick<CheckpointStore, 'readBudget'>, row: { sourceEmail: string; destinationEmail: string; controls?: MailboxControls }, nowMs: number = Date.now()): Promise<MailboxFacts['budget']> {
  const limits = budgetLimits(deps, row);
  if (limits.bytesPerWindow <= 0) return undefined;
  const { window } = await checkpoints.readBudget(mailboxPair(row).key);
  return { ...(window ? { window } : {}), limits, nowMs };
}

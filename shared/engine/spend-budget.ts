import { grantBytes, type BudgetLimits } from '../domain/budget/byte-budget.js';
import type { CheckpointStore } from '../domain/checkpoints/checkpoint-store.js';
import { MigrationError } from '../errors/migration-error.js';
import type { MailboxControls } from '../contracts/mailbox-controls.js';
import { effectiveControls } from '../domain/controls/read-controls.js';
import type { EngineDeps } from './engine-deps.js';

/** The byte budget of this pair: the row's DailyBytes over the batch's DAILY_BYTES_PER_MAILBOX, per BUDGET_WINDOW_SECONDS. */
export function budgetLimits(deps: Pick<EngineDeps, 'settings'>, of: { controls?: MailboxControls }): BudgetLimits {
  return { bytesPerWindow: effectiveControls(deps.settings.controls, of.controls).dailyBytes ?? 0, windowMs: deps.settings.budgetWindowMs };
}

/** Conditional writes lost to other workers of the mailbox before giving up (transient: the range is retried). */
const MAX_CONFLICTS = 20;

/**
 * Takes from the mailbox's byte budget the bytes of the longest prefix of `sizes` that fits,
 * recorded in the ledger before the bodies are fetched: folders of one mailbox (other lanes,
 * other instances) spend the same budget and never together exceed it. Answers how many may be
 * fetched and, when not all, when the rest may be asked for again.
 */
export async function spendBudget(store: Pick<CheckpointStore, 'readBudget' | 'writeBudget'>, mailbox: string, sizes: readonly number[], limits: BudgetLimits, now: () => number = Date.now): Promise<{ take: number; resumesAt?: string }> {
  if (limits.bytesPerWindow <= 0 || sizes.length === 0) return { take: sizes.length };
  for (let i = 0; i < MAX_CONFLICTS; i += 1) {
    const { window, version } = await store.readBudget(mailbox);
    const grant = grantBytes(window, sizes, limits, now());
    if (grant.take === 0 || (await store.writeBudget(mailbox, grant.window!, version))) return { take: grant.take, ...(grant.resumesAt ? { resumesAt: grant.resumesAt } : {}) };
  }
  throw new MigrationError('STORAGE_UNAVAILABLE', 'transient', 'the byte budget record kept changing under this worker');
}

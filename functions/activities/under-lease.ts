import type { PairLeaseClaim } from '../../shared/contracts/pair-lease.js';
import { describeBatchHolder, type PairLeases } from '../../shared/domain/leases/batch-lease.js';
import { MigrationError } from '../../shared/errors/migration-error.js';

/**
 * Runs `fn` only while `claim` holds the pair's lease: `take` at the start of a mailbox's pass,
 * `renew` in every later activity. A pair another batch holds is not touched: MAILBOX_LEASED,
 * permanent, naming the holder (batch, since, when it lapses).
 */
export async function underLease<T>(leases: PairLeases, how: 'take' | 'renew', mailbox: string, claim: PairLeaseClaim, fn: () => Promise<T>): Promise<T> {
  const outcome = await leases[how](mailbox, claim);
  if (!outcome.held) throw new MigrationError('MAILBOX_LEASED', 'permanent', `mailbox pair ${describeBatchHolder(outcome.heldBy)}`);
  return fn();
}

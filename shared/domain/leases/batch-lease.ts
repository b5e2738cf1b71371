import type { PairLeaseClaim } from '../../contracts/pair-lease.js';
import { parseCliClaim } from './cli-claim.js';

/**
 * How long a pair's lease in the Functions app lives past its last renewal. Every activity of
 * the pair renews it when it starts, so it must outlast the longest activity (host.json
 * functionTimeout, 30 min): the host ends an activity before its lease can lapse under it — that
 * is what keeps two batches off one pair. It should also outlast the durable waits between two
 * activities of the pair (a throttling answer's suggested time, ~5 min from Exchange; a retry
 * interval, 1 min; a login refusal's wait, 2 min) and a busy activity queue; a longer wait only
 * risks the pass losing its pair to another batch (it then stops, MAILBOX_LEASED), never a copy
 * beside it. A crashed or cancelled batch's pairs are free again this long after its last
 * activity of them.
 */
export const PAIR_LEASE_TTL_MS = 45 * 60_000;

/** A pair's lease as the app keeps it. */
export interface BatchLeaseHolder extends PairLeaseClaim {
  /** ISO 8601: when this holder took it. */
  since: string;
  /** ISO 8601: when it lapses unless renewed. */
  expiresAt: string;
}

export type PairLeaseOutcome = { held: true } | { held: false; heldBy: BatchLeaseHolder };

/**
 * The Functions app's leases, one per mailbox pair. Unlike the CLI's (MailboxLeases: a handle the
 * same process releases), a lease here is taken in one activity, renewed by others on any worker
 * and released by a last one, so every call names its holder.
 *
 * - take: at the start of a mailbox's pass. Granted when the pair is free, lapsed, or held by
 *   the same batch (a later pass of it, or a retry of the same activity).
 * - renew: by every activity of the pass. Granted when the lease is this very instance's, or
 *   free or lapsed (nobody else took it meanwhile); refused when anyone else holds it.
 * - release: at the end of the pass, only if the lease is still this instance's.
 */
export interface PairLeases {
  /** `stale`: a holder known to be gone (a crashed command-line run on this host) is taken over at once. */
  take(mailbox: string, claim: PairLeaseClaim, opts?: { stale?: (holder: BatchLeaseHolder) => boolean }): Promise<PairLeaseOutcome>;
  renew(mailbox: string, claim: PairLeaseClaim): Promise<PairLeaseOutcome>;
  release(mailbox: string, claim: PairLeaseClaim): Promise<void>;
}

/** The refusal as reports and errors give it: who holds the pair, since when, until when at the latest. */
export function describeBatchHolder(h: BatchLeaseHolder): string {
  const cli = parseCliClaim(h.batchId);
  if (cli) return `held by a mailmig command-line run (host ${cli.host}, pid ${cli.pid}) since ${h.since}; not copied beside it. That run releases it when its pass of this mailbox ends; if that process is gone, the lease lapses at ${h.expiresAt} (at once for a run on this host)`;
  return `held by batch ${h.batchId} (mailbox run ${h.instanceId}) since ${h.since}; not copied beside it. That batch releases it when its pass of this mailbox ends; if that batch is gone, the lease lapses at ${h.expiresAt}`;
}

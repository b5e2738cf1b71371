import type { TableClient } from '@azure/data-tables';
import type { PairLeaseClaim } from '../../contracts/pair-lease.js';
import { PAIR_LEASE_TTL_MS, type BatchLeaseHolder, type PairLeaseOutcome, type PairLeases } from '../../domain/leases/batch-lease.js';
import { classify } from '../../errors/classify.js';
import { MigrationError } from '../../errors/migration-error.js';
import { LEASE_ROW, pairPartitionKey } from './table-checkpoint-store.js';

interface LeaseRow extends BatchLeaseHolder {
  mailbox: string;
}

/** A renewal rewrites the row only once this share of the lease has passed (5 of 45 min): most renewals cost one read. */
const REWRITE_AFTER_SHARE = 1 / 9;
/** Rounds of read-then-conditional-write before giving up on a row many takers fight over. */
const MAX_ROUNDS = 5;

const statusOf = (e: unknown): number | undefined => (e as { statusCode?: number }).statusCode;

/**
 * The Functions app's leases: one row per mailbox pair in the checkpoint table (the pair's ledger
 * partition, row `lease`), naming its holder and when it lapses. Every change is conditional —
 * create fails if the row exists (409), replace and delete carry the ETag read (412 if another
 * taker wrote in between) — so of two takers at once exactly one wins; the loser reads again and
 * finds the winner. The row holds instance ids and times only.
 */
export class TablePairLeases implements PairLeases {
  private ready?: Promise<void>;

  constructor(
    private readonly client: TableClient,
    private readonly ttlMs = PAIR_LEASE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  private ensure(): Promise<void> {
    this.ready ??= this.client.createTable().catch((e: unknown) => {
      this.ready = undefined;
      throw classify(e, 'storage');
    });
    return this.ready;
  }

  take(mailbox: string, claim: PairLeaseClaim, opts: { stale?: (holder: BatchLeaseHolder) => boolean } = {}): Promise<PairLeaseOutcome> {
    return this.claim(mailbox, claim, (h) => h.batchId === claim.batchId || (opts.stale?.(h) ?? false));
  }

  renew(mailbox: string, claim: PairLeaseClaim): Promise<PairLeaseOutcome> {
    return this.claim(mailbox, claim, (h) => h.batchId === claim.batchId && h.instanceId === claim.instanceId);
  }

  async release(mailbox: string, claim: PairLeaseClaim): Promise<void> {
    await this.ensure();
    const found = await this.read(mailbox);
    if (!found || found.row.instanceId !== claim.instanceId || found.row.batchId !== claim.batchId) return;
    try {
      await this.client.deleteEntity(pairPartitionKey(mailbox), LEASE_ROW, { etag: found.etag });
    } catch (e) {
      // Gone already, or renewed/taken since: either way no longer ours to remove.
      if (statusOf(e) === 404 || statusOf(e) === 412) return;
      throw classify(e, 'storage');
    }
  }

  /** Takes or keeps the lease when it is free, lapsed, or `mine(holder)` (ours, or a holder known gone); else names who holds it. */
  private async claim(mailbox: string, claim: PairLeaseClaim, mine: (h: BatchLeaseHolder) => boolean): Promise<PairLeaseOutcome> {
    await this.ensure();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.now();
      const found = await this.read(mailbox);
      const next: LeaseRow = { mailbox, batchId: claim.batchId, instanceId: claim.instanceId, since: new Date(now).toISOString(), expiresAt: new Date(now + this.ttlMs).toISOString() };
      if (!found) {
        if (await this.write(() => this.client.createEntity({ partitionKey: pairPartitionKey(mailbox), rowKey: LEASE_ROW, ...next }))) return { held: true };
        continue;
      }
      const h = found.row;
      const lapsed = Date.parse(h.expiresAt) <= now;
      if (!lapsed && !mine(holder(h))) return { held: false, heldBy: holder(h) };
      const same = h.instanceId === claim.instanceId && h.batchId === claim.batchId;
      // Our own lease with most of its time left: nothing to write.
      if (same && !lapsed && Date.parse(h.expiresAt) - now > this.ttlMs * (1 - REWRITE_AFTER_SHARE)) return { held: true };
      const row = { partitionKey: pairPartitionKey(mailbox), rowKey: LEASE_ROW, ...next, ...(same && !lapsed ? { since: h.since } : {}) };
      if (await this.write(() => this.client.updateEntity(row, 'Replace', { etag: found.etag }))) return { held: true };
    }
    throw new MigrationError('STORAGE_UNAVAILABLE', 'transient', 'the pair lease row kept changing under concurrent takers');
  }

  private async read(mailbox: string): Promise<{ row: LeaseRow; etag: string } | undefined> {
    try {
      const e = await this.client.getEntity<LeaseRow>(pairPartitionKey(mailbox), LEASE_ROW);
      return { row: e, etag: e.etag };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw classify(e, 'storage');
    }
  }

  /** True when the conditional write went through; false when another taker changed the row first. */
  private async write(op: () => Promise<unknown>): Promise<boolean> {
    try {
      await op();
      return true;
    } catch (e) {
      if (statusOf(e) === 409 || statusOf(e) === 412 || statusOf(e) === 404) return false;
      throw classify(e, 'storage');
    }
  }
}

function holder(r: LeaseRow): BatchLeaseHolder {
  return { batchId: r.batchId, instanceId: r.instanceId, since: r.since, expiresAt: r.expiresAt };
}

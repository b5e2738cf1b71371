import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { PAIR_LEASE_TTL_MS, describeBatchHolder, type PairLeases } from '../../domain/leases/batch-lease.js';
import { cliClaim, parseCliClaim } from '../../domain/leases/cli-claim.js';
import type { HeldLease, LeaseRefusal, MailboxLeases } from '../../domain/leases/mailbox-lease.js';
import { isAlive } from './process-alive.js';

export interface TableMailboxLeaseOptions {
  host?: string;
  pid?: number;
  /** How often a held lease is renewed; a ninth of its life, as the app's activities do. */
  renewEveryMs?: number;
  alive?: (pid: number) => boolean;
  warn?: (message: string) => void;
}

/**
 * A `mailmig` run whose ledger is the shared checkpoint table takes the same pair leases the
 * Functions app's batches take, so the command line never copies beside a batch (nor a batch
 * beside it). A lease is held for as long as the run works on the pair: renewed on a timer, since
 * one pass can outlast the lease's life; released at the end. A crashed run's lease is taken over
 * at once by a run on the same host (its pid is gone), else it lapses after PAIR_LEASE_TTL_MS.
 */
export class TableMailboxLeases implements MailboxLeases {
  private readonly host: string;
  private readonly claim;

  constructor(
    private readonly pairs: PairLeases,
    private readonly opts: TableMailboxLeaseOptions = {},
  ) {
    this.host = opts.host ?? hostname();
    this.claim = cliClaim(this.host, opts.pid ?? process.pid, randomBytes(4).toString('hex'));
  }

  async acquire(mailbox: string): Promise<HeldLease | LeaseRefusal> {
    const alive = this.opts.alive ?? isAlive;
    const stale = (batchId: string): boolean => {
      const cli = parseCliClaim(batchId);
      return cli !== undefined && cli.host === this.host && cli.pid !== (this.opts.pid ?? process.pid) && !alive(cli.pid);
    };
    const outcome = await this.pairs.take(mailbox, this.claim, { stale: (h) => stale(h.batchId) });
    if (!outcome.held) return { refused: `mailbox pair ${describeBatchHolder(outcome.heldBy)}` };
    const warn = this.opts.warn ?? (() => undefined);
    const renew = async (): Promise<void> => {
      const again = await this.pairs.renew(mailbox, this.claim);
      // Only after the lease lapsed unrenewed (storage unreachable for its whole life) can another take it.
      if (!again.held) warn(`the lease on a mailbox pair was lost: ${describeBatchHolder(again.heldBy)}`);
    };
    const timer = setInterval(() => {
      renew().catch((e: unknown) => warn(`renewing a mailbox pair's lease failed (tried again in ${Math.round(this.every() / 1000)} s): ${(e as Error).message}`));
    }, this.every());
    timer.unref();
    return {
      release: async () => {
        clearInterval(timer);
        await this.pairs.release(mailbox, this.claim);
      },
    };
  }

  private every(): number {
    return this.opts.renewEveryMs ?? PAIR_LEASE_TTL_MS / 9;
  }
}

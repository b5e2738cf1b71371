/** Who holds a mailbox pair's lease. */
export interface LeaseHolder {
  host: string;
  pid: number;
  /** ISO 8601: when the holder took it. */
  since: string;
}

/**
 * One worker at a time per mailbox pair: two runs copying the same pair side by side would both
 * append what the other has not recorded yet. A lease is taken before the pair is looked at and
 * released after; a pair already held is refused (never worked on beside its holder).
 */
export interface MailboxLeases {
  acquire(mailbox: string): Promise<HeldLease | LeaseRefusal>;
}

export interface HeldLease {
  release(): Promise<void>;
}

/** A pair held by someone else: `refused` says who, and how to free it if that holder is gone. */
export interface LeaseRefusal {
  refused: string;
}

export function describeHolder(h: LeaseHolder, file: string): string {
  return `held by another mailmig run (host ${h.host}, pid ${h.pid}, since ${h.since}); not copied beside it. If that process is gone and this message stays, remove ${file}`;
}

/**
 * Both leases, taken in order and given back in reverse: a run whose ledger is shared holds its
 * local lock (crash-safe on this host) and the shared lease (seen by every other driver).
 */
export function bothLeases(first: MailboxLeases, second: MailboxLeases): MailboxLeases {
  return {
    async acquire(mailbox) {
      const a = await first.acquire(mailbox);
      if ('refused' in a) return a;
      let b: HeldLease | LeaseRefusal;
      try {
        b = await second.acquire(mailbox);
      } catch (e) {
        await a.release();
        throw e;
      }
      if ('refused' in b) {
        await a.release();
        return b;
      }
      const held = b;
      return {
        release: async () => {
          try {
            await held.release();
          } finally {
            await a.release();
          }
        },
      };
    },
  };
}

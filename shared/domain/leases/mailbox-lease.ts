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
  acquire(mailbox: string): Promise<{ release(): Promise<void> } | { heldBy: LeaseHolder; file: string }>;
}

export function describeHolder(h: LeaseHolder, file: string): string {
  return `held by another mailmig run (host ${h.host}, pid ${h.pid}, since ${h.since}); not copied beside it. If that process is gone and this message stays, remove ${file}`;
}

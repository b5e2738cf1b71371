import { mailboxPair } from '../../contracts/mailbox-pair.js';
import type { FolderCheckpoint } from './folder-checkpoint.js';
import type { BudgetWindow } from '../budget/byte-budget.js';

/** Mailbox pairs, not batches, own checkpoints: re-running a mailbox in a new CSV continues it. The key is the pair's (MailboxPair.key). */
export function mailboxKey(sourceEmail: string, destinationEmail: string): string {
  return mailboxPair({ sourceEmail, destinationEmail }).key;
}

/** Source UID -> destination UID of copied messages, valid for one destination UIDVALIDITY. */
export interface UidMap {
  destUidValidity: string;
  pairs: Map<number, number>;
}

/** The checkpoint ledger: a local file for `mailmig`, Table Storage for the Functions app. */
export interface CheckpointStore {
  get(mailbox: string, sourcePath: string): Promise<FolderCheckpoint | undefined>;
  put(mailbox: string, checkpoint: FolderCheckpoint): Promise<void>;
  list(mailbox: string): Promise<FolderCheckpoint[]>;
  /**
   * Records where copied messages landed (from APPENDUID), so later passes can carry flag
   * changes with one FLAGS-only FETCH per side; a new destUidValidity starts a new map.
   */
  appendUidMap(mailbox: string, sourcePath: string, destUidValidity: string, pairs: readonly (readonly [number, number])[]): Promise<void>;
  readUidMap(mailbox: string, sourcePath: string): Promise<UidMap | undefined>;
  /** Cut-over closes a mailbox pair: no later pass copies into it. */
  markClosed(mailbox: string, at: string): Promise<void>;
  closedAt(mailbox: string): Promise<string | undefined>;
  /**
   * A server's "Suggested Backoff Time" applies to the whole mailbox: recorded here, every
   * worker of that mailbox (other folders, other activity hosts) waits it out too.
   */
  pauseMailbox(mailbox: string, until: string): Promise<void>;
  pausedUntil(mailbox: string): Promise<string | undefined>;
  /** The mailbox's byte-budget window (DAILY_BYTES_PER_MAILBOX), with the version a conditional write names. */
  readBudget(mailbox: string): Promise<{ window?: BudgetWindow; version?: string }>;
  /**
   * Records the window only if nobody wrote it since `version` was read (undefined: no record
   * yet): false when someone did. Folders of one mailbox spend its budget from several processes.
   */
  writeBudget(mailbox: string, window: BudgetWindow, version: string | undefined): Promise<boolean>;
  /** Releases what the store holds open (files); optional. */
  close?(): Promise<void>;
}

/** The map's text form, shared by both stores: "v <uidvalidity>" then "src dst" lines (a new "v" line resets). */
export function encodeUidPairs(destUidValidity: string, pairs: readonly (readonly [number, number])[]): string {
  return `v ${destUidValidity}\n${pairs.map(([s, d]) => `${s} ${d}`).join('\n')}\n`;
}

export function decodeUidMap(text: string): UidMap | undefined {
  let map: UidMap | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('v ')) {
      const v = line.slice(2).trim();
      if (!map || map.destUidValidity !== v) map = { destUidValidity: v, pairs: new Map() };
    } else if (map && line) {
      const [s, d] = line.split(' ').map(Number);
      if (s !== undefined && d !== undefined && Number.isInteger(s) && Number.isInteger(d)) map.pairs.set(s, d);
    }
  }
  return map;
}

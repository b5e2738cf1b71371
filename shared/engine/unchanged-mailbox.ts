import type { FolderReport } from '../contracts/report.js';
import type { FolderCheckpoint } from '../domain/checkpoints/folder-checkpoint.js';
import type { FolderStatus } from '../contracts/imap.js';
import { isSelectable } from '../domain/folders/special-use.js';
import type { EngineDeps } from './engine-deps.js';
import { folderRef, folderReport } from './folder-pass.js';
import type { MailboxPair } from '../contracts/mailbox-pair.js';

export interface SourceLook {
  /** Every folder of the mailbox is as the last completed pass left it: their reports. */
  unchanged?: FolderReport[];
  /** The STATUS answers taken on the way (source path → status), for the full pass to reuse. */
  statuses: Map<string, FolderStatus>;
}

/**
 * A delta pass first looks at the source alone: LIST, then one STATUS per folder on the same
 * session, pipelined. When every selectable folder has a ledger entry whose last completed pass
 * saw the same UIDVALIDITY, UIDNEXT and message count, and no folder appeared or vanished, nothing can
 * have to be copied: the destination is not contacted at all (no login, no LIST). Anything else
 * (a new, changed or vanished folder, a folder the last pass skipped, a range in flight) leaves
 * `unchanged` undefined and the caller runs the full pass, reusing the STATUS answers.
 */
export async function lookAtSource(deps: EngineDeps, pair: MailboxPair): Promise<SourceLook> {
  const statuses = new Map<string, FolderStatus>();
  const cps = new Map((await deps.checkpoints.list(pair.key)).map((cp) => [cp.sourcePath, cp]));
  if (cps.size === 0) return { statuses };
  return deps.pool.withFolders('source', pair.sourceEmail, async (src) => {
    const listed = (await src.listFolders()).filter((f) => isSelectable(f));
    if (listed.length !== cps.size || listed.some((f) => !cps.has(f.path))) return { statuses };
    // A folder the last pass did not finish (or never saw) needs the full pass anyway.
    const settled = (cp: FolderCheckpoint): boolean => cp.lastStatus !== undefined && !cp.inFlight && cp.dedupeFromDestUid === undefined;
    if (listed.some((f) => !settled(cps.get(f.path)!))) return { statuses };
    // All STATUS commands in one round trip where the connection can pipeline them.
    const got = await src.statusMany(listed.map((f) => f.path));
    const reports: FolderReport[] = [];
    for (const f of listed) {
      const cp = cps.get(f.path)!;
      const last = cp.lastStatus!;
      const status = got.get(f.path);
      if (!status || status.uidValidity !== last.uidValidity || status.uidNext !== last.uidNext || status.messages !== last.messages) return { statuses: got };
      reports.push(folderReport(folderRef(pair, cp), cp, 'unchanged', status.messages, 0));
    }
    return { unchanged: reports, statuses: got };
  });
}

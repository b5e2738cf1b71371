import type { FlagSyncResult, FolderRef } from '../contracts/engine-types.js';
import type { EngineDeps } from './engine-deps.js';
import { appendFlags } from './flags.js';

export type { FlagSyncResult };

const STORE_CHUNK = 500;

const key = (flags: readonly string[]): string => [...flags].map((f) => f.toLowerCase()).sort().join(' ');

/**
 * Carries flag changes made at the source after a message was copied. Exchange has no
 * CONDSTORE, so there is no "changed since" query: one FLAGS-only FETCH per side, joined through
 * the ledger's UID map, then one UID STORE per distinct flag set (chunked).
 */
export async function syncFolderFlags(deps: EngineDeps, ref: FolderRef): Promise<FlagSyncResult> {
  const map = await deps.checkpoints.readUidMap(ref.mailbox, ref.sourcePath);
  if (!map || map.pairs.size === 0) return { checked: 0, changed: 0, skippedReason: 'no copied messages recorded for this folder' };
  const source = await deps.pool.with('source', ref.sourceEmail, async (s) => {
    await s.select(ref.sourcePath, true);
    return s.fetchFlags('1:*');
  });
  const srcFlags = new Map(source.map((m) => [m.uid, m.flags]));
  return deps.pool.with('destination', ref.destinationEmail, async (d) => {
    const sel = await d.select(ref.destinationPath, false);
    if (sel.uidValidity !== map.destUidValidity) return { checked: 0, changed: 0, skippedReason: 'the destination folder was re-created (UIDVALIDITY changed)' };
    const dstFlags = new Map((await d.fetchFlags('1:*')).map((m) => [m.uid, m.flags]));
    const groups = new Map<string, { flags: string[]; uids: number[] }>();
    let checked = 0;
    for (const [srcUid, dstUid] of map.pairs) {
      const want = srcFlags.get(srcUid);
      const have = dstFlags.get(dstUid);
      if (want === undefined || have === undefined) continue; // expunged on either side since
      checked += 1;
      const target = appendFlags(want, sel.permanentFlags).flags;
      if (key(target) === key(have.filter((f) => f.toLowerCase() !== '\\recent'))) continue;
      const g = groups.get(key(target)) ?? { flags: target, uids: [] };
      g.uids.push(dstUid);
      groups.set(key(target), g);
    }
    let changed = 0;
    for (const g of groups.values()) {
      for (let i = 0; i < g.uids.length; i += STORE_CHUNK) {
        const chunk = g.uids.slice(i, i + STORE_CHUNK);
        await d.setFlags(chunk.join(','), g.flags);
        changed += chunk.length;
      }
    }
    return { checked, changed };
  });
}

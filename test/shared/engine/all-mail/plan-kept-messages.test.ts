import { describe, expect, it } from 'vitest';
import type { SourceFolders } from '../../../../shared/contracts/imap-ports.js';
import type { MessageMeta } from '../../../../shared/contracts/imap.js';
import { planFolderPage } from '../../../../shared/engine/plan-folder.js';
import { uidsOf } from '../../../../shared/domain/ranges/uid-set.js';

// planFolderPage with a filter (the \All view's archived-only messages): ranges cover only what
// is kept and name it, so copyRange copies those UIDs and nothing between them.

/** A folder of UIDs 1..n (UID = sequence number), 100 bytes each. */
function folder(n: number): SourceFolders {
  const metas: MessageMeta[] = Array.from({ length: n }, (_, i) => ({ uid: i + 1, size: 100, flags: [], internalDate: '' }));
  const unused = (): never => {
    throw new Error('not used by planning');
  };
  return {
    select: () => Promise.resolve({ messages: n, uidNext: n + 1, uidValidity: '7', permanentFlags: [] }),
    fetchMeta: (range: string) => {
      const [a, b] = range.split(':').map(Number) as [number, number | undefined];
      return Promise.resolve(metas.filter((m) => m.uid >= a && m.uid <= (b ?? a)));
    },
    listFolders: unused,
    status: unused,
    statusMany: unused,
    fetchSources: unused,
  };
}

const limits = { maxMessages: 3, maxBytes: 1_000_000, maxMessageBytes: 1_000_000 };
const keepMultiplesOf = (k: number) => (rows: readonly MessageMeta[]) => Promise.resolve(new Set(rows.filter((r) => r.uid % k === 0).map((r) => r.uid)));

describe('planning only the kept messages of a folder', () => {
  it('each range holds at most maxMessages kept messages and names exactly them', async () => {
    const page = await planFolderPage(folder(20), 'All', 0, limits, 50, undefined, keepMultiplesOf(4));
    expect(page.complete).toBe(true);
    expect(page.ranges.map((r) => [r.fromUid, r.toUid, r.count, r.uids])).toEqual([
      [1, 12, 3, '4,8,12'],
      [13, 20, 2, '16,20'],
    ]);
  });

  it('a page cut at maxRanges names only its own ranges\' UIDs, and the next page goes on after it', async () => {
    const first = await planFolderPage(folder(20), 'All', 0, { ...limits, maxMessages: 2 }, 1, undefined, keepMultiplesOf(3));
    expect(first).toMatchObject({ complete: false, ranges: [{ fromUid: 1, toUid: 6, uids: '3,6' }] });
    const next = await planFolderPage(folder(20), 'All', 6, { ...limits, maxMessages: 2 }, 50, undefined, keepMultiplesOf(3));
    const planned = next.ranges.flatMap((r) => [...uidsOf(r.uids ?? '')]);
    expect(planned).toEqual([9, 12, 15, 18]);
  });

  it('without a filter, ranges name no UIDs: the whole range is copied, as before', async () => {
    const page = await planFolderPage(folder(5), 'INBOX', 0, limits, 50);
    expect(page.ranges.map((r) => r.uids)).toEqual([undefined, undefined]);
  });

  it('nothing kept: no range, and the page is complete', async () => {
    const page = await planFolderPage(folder(5), 'All', 0, limits, 50, undefined, () => Promise.resolve(new Set<number>()));
    expect(page).toMatchObject({ ranges: [], complete: true });
  });
});

import { describe, expect, it } from 'vitest';
import { decodeHeaderWords } from '../../../../shared/adapters/lazy-modules.js';
import type { ListedFolder, MessageMeta, SelectedFolder } from '../../../../shared/contracts/imap.js';
import { archivedByLabels, archivedOnlyFilter, type ArchiveReader } from '../../../../shared/engine/all-mail/archived-only.js';
import { uidsOf } from '../../../../shared/domain/ranges/uid-set.js';

// The archived-only test over a scripted reader: no server (the lab's Dovecot has no X-GM-EXT-1,
// so Gmail's labels path is proven here and the fingerprint path in archived-only.lab.test.ts too).

const headers = (n: number): Buffer => Buffer.from(`Message-ID: <m${n}@example.org>\r\nSubject: message ${n}\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n`);

/** A reader of `folders` (path -> message numbers; each number one message, wherever it is filed), UID = position + 1. */
function reader(folders: Record<string, { flags?: string[]; messages: number[] }>, labels?: Record<number, string[]>): ArchiveReader & { calls: string[] } {
  const calls: string[] = [];
  let selected = '';
  const rows = (path: string): (MessageMeta & { headers: Buffer })[] =>
    (folders[path]?.messages ?? []).map((n, i) => ({ uid: i + 1, size: 100 + n, flags: [], internalDate: '', headers: headers(n) }));
  return {
    calls,
    listFolders: () => {
      calls.push('LIST');
      return Promise.resolve(Object.entries(folders).map(([path, f]): ListedFolder => ({ path, delimiter: '/', flags: f.flags ?? [] })));
    },
    select: (path: string) => {
      calls.push(`SELECT ${path}`);
      selected = path;
      return Promise.resolve<SelectedFolder>({ messages: folders[path]?.messages.length ?? 0, uidNext: 100, uidValidity: '1', permanentFlags: [] });
    },
    fetchHeaders: (range: string, _h: readonly string[], byUid?: boolean) => {
      calls.push(`FETCH ${selected}`);
      const all = rows(selected);
      if (!byUid) return Promise.resolve(all);
      const wanted = uidsOf(range);
      return Promise.resolve(all.filter((r) => wanted.has(r.uid)));
    },
    gmailLabels: (uids: string) => {
      calls.push('X-GM-LABELS');
      if (!labels) return Promise.resolve(undefined);
      return Promise.resolve(new Map([...uidsOf(uids)].map((u) => [u, labels[u] ?? []])));
    },
  };
}

const ALL = '[Gmail]/All Mail';
const uids = (...u: number[]): { uid: number }[] => u.map((uid) => ({ uid }));

describe('which All Mail messages are archived-only', () => {
  it('with X-GM-LABELS: a message labelled with nothing but \\Important and \\Starred, and no folder is read', async () => {
    const r = reader({}, { 1: ['\\Inbox'], 2: [], 3: ['\\Starred', '\\Important'], 4: ['Work/Clients'], 5: ['\\Sent'], 6: ['\\Draft'] });
    const keep = archivedOnlyFilter(r, ALL, decodeHeaderWords);
    expect([...(await keep(uids(1, 2, 3, 4, 5, 6)))].sort()).toEqual([2, 3]);
    expect(r.calls).toEqual(['X-GM-LABELS']);
    expect(archivedByLabels(['\\IMPORTANT'])).toBe(true);
    expect(archivedByLabels(['Receipts', '\\Starred'])).toBe(false);
  });

  it('without them: a message whose fingerprint no other folder holds, views not counted, the folders fingerprinted once', async () => {
    const r = reader({
      INBOX: { messages: [1] },
      Work: { messages: [2, 3] },
      [ALL]: { flags: ['\\All'], messages: [1, 2, 3, 4, 5, 6] },
      '[Gmail]/Starred': { flags: ['\\Flagged'], messages: [5] },
      '[Gmail]/Important': { flags: ['\\Important'], messages: [6] },
      '[Gmail]': { flags: ['\\Noselect', '\\HasChildren'], messages: [] },
    });
    const keep = archivedOnlyFilter(r, ALL, decodeHeaderWords);
    expect([...(await keep(uids(1, 2, 3)))]).toEqual([]);
    expect([...(await keep(uids(4, 5, 6)))].sort()).toEqual([4, 5, 6]);
    expect(r.calls.filter((c) => c === 'LIST')).toHaveLength(1);
    // Only the label folders are fingerprinted, and All Mail is selected again before its headers are read.
    expect(r.calls.filter((c) => c.startsWith('SELECT'))).toEqual(['SELECT INBOX', 'SELECT Work', `SELECT ${ALL}`]);
    expect(r.calls.at(-1)).toBe(`FETCH ${ALL}`);
  });
});

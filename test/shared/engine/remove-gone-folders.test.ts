import { describe, expect, it } from 'vitest';
import type { DestinationWriter } from '../../../shared/contracts/imap-ports.js';
import type { ListedFolder } from '../../../shared/contracts/imap.js';
import { mailboxPair } from '../../../shared/contracts/mailbox-pair.js';
import type { UidMap } from '../../../shared/domain/checkpoints/checkpoint-store.js';
import type { EngineDeps } from '../../../shared/engine/engine-deps.js';
import { removeGoneFolders } from '../../../shared/engine/remove-gone-folders.js';

/** A destination of folders (path → UIDs) that records what is expunged and deleted. */
function destination(folders: Record<string, number[]>, extra: ListedFolder[] = []) {
  const log: string[] = [];
  let selected = '';
  const d = {
    listFolders: () => Promise.resolve([...Object.keys(folders).map((path) => ({ path, delimiter: '/', flags: [] })), ...extra]),
    select: (path: string) => {
      selected = path;
      return Promise.resolve({ messages: folders[path]!.length, uidNext: 100, uidValidity: '7', permanentFlags: [] });
    },
    fetchFlags: (uids: string) => Promise.resolve(uids.split(',').map(Number).filter((u) => folders[selected]!.includes(u)).map((uid) => ({ uid, flags: [] }))),
    deleteMessages: (uids: string) => {
      log.push(`expunge ${selected} ${uids}`);
      folders[selected] = folders[selected]!.filter((u) => !uids.split(',').map(Number).includes(u));
      return Promise.resolve('deleted' as const);
    },
    deleteFolder: (path: string) => {
      log.push(`delete ${path}`);
      return Promise.resolve();
    },
  } as unknown as DestinationWriter;
  return { d, log };
}

function deps(d: DestinationWriter, maps: Record<string, UidMap>): EngineDeps {
  return {
    settings: { controls: {} },
    pool: { with: (_site: string, _mailbox: string, fn: (s: DestinationWriter) => Promise<unknown>) => fn(d) },
    checkpoints: { readUidMap: (_m: string, sourcePath: string) => Promise.resolve(maps[sourcePath]) },
  } as unknown as EngineDeps;
}

const pair = mailboxPair({ sourceEmail: 'a@contoso.com', destinationEmail: 'a@contoso.com' });
const map = (pairs: [number, number][]): UidMap => ({ destUidValidity: '7', pairs: new Map(pairs) });

describe('removeGoneFolders', () => {
  it('touches nothing in a destination folder another source folder is still copied into (its map may name the same messages)', async () => {
    const { d, log } = destination({ Sent: [1, 2] });
    const r = await removeGoneFolders(deps(d, { 'Sent Items': map([[10, 1], [11, 2]]) }), pair, [{ sourcePath: 'Sent Items', destinationPath: 'Sent' }], new Set(['Sent']));
    expect(r).toEqual([{ sourcePath: 'Sent Items', destinationPath: 'Sent', removedAtCutover: 0, folderDeleted: false, keptBecause: 'another source folder is still copied into it' }]);
    expect(log).toEqual([]);
  });

  it('removes our copies but never deletes a special-use folder, nor one whose messages the ledger cannot tell as ours', async () => {
    const { d, log } = destination({ Old: [1, 2] }, [{ path: 'Archive', delimiter: '/', flags: ['\\Archive'], specialUse: '\\Archive' }]);
    const r = await removeGoneFolders(deps(d, { Archives: map([]) }), pair, [{ sourcePath: 'Archives', destinationPath: 'Archive' }, { sourcePath: 'Old', destinationPath: 'Old' }], new Set());
    expect(r.map((x) => x.keptBecause)).toEqual(["it is the destination's \\Archive folder", '2 message(s) remain in it and the ledger has no UID map to tell ours']);
    expect(log).toEqual([]);
  });

  it('a folder an earlier attempt already deleted is reported as no longer there, and a second gone folder of the same destination is not deleted twice', async () => {
    const { d, log } = destination({ Work: [5] });
    const r = await removeGoneFolders(deps(d, { Work: map([[1, 5]]), 'Work-old': map([]) }), pair, [{ sourcePath: 'Work', destinationPath: 'Work' }, { sourcePath: 'Work-old', destinationPath: 'Work' }, { sourcePath: 'Gone', destinationPath: 'Gone' }], new Set());
    expect(r.map((x) => [x.sourcePath, x.folderDeleted, x.removedAtCutover])).toEqual([['Work', true, 1], ['Work-old', false, 0], ['Gone', false, 0]]);
    expect(log).toEqual(['expunge Work 5', 'delete Work']);
  });
});

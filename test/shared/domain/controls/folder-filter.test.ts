import { describe, expect, it } from 'vitest';
import type { ListedFolder } from '../../../../shared/contracts/imap.js';
import { folderFilter } from '../../../../shared/domain/controls/folder-filter.js';
import { parseFolderPatterns } from '../../../../shared/domain/controls/folder-patterns.js';

const folder = (path: string, extra: Partial<ListedFolder> = {}, delimiter = '/'): ListedFolder => ({ path, delimiter, flags: [], ...extra });
const listing = [
  folder('INBOX'),
  folder('Junk Email', { specialUse: '\\Junk' }),
  folder('Junk Email/Old'),
  folder('Deleted Items'),
  folder('Deleted Items/2019'),
  folder('Sync Issues'),
  folder('Sync Issues/Conflicts'),
  folder('Sync Issues2'),
  folder('Projects', { flags: ['\\Noselect'] }),
  folder('Projects/Alpha'),
  folder('Projects/Beta'),
  folder('Archive/Sync Issues'),
];
const left = (controls: Parameters<typeof folderFilter>[1], folders = listing): string[] => folders.filter((f) => folderFilter(folders, controls).left.has(f.path)).map((f) => f.path);

describe('folder patterns', () => {
  it('exclude patterns match whole paths case-insensitively, and a matched folder takes its subfolders with it', () => {
    expect(left({ excludeFolders: ['deleted items', 'Sync Issues*'] })).toEqual(['Deleted Items', 'Deleted Items/2019', 'Sync Issues', 'Sync Issues/Conflicts', 'Sync Issues2']);
  });

  it('* stays within one level and ** crosses levels', () => {
    expect(left({ excludeFolders: ['*/Sync Issues'] })).toEqual(['Archive/Sync Issues']);
    expect(left({ excludeFolders: ['**/Sync Issues'] })).toEqual(['Archive/Sync Issues']);
    expect(left({ excludeFolders: ['**Sync Issues'] })).toEqual(['Sync Issues', 'Sync Issues/Conflicts', 'Archive/Sync Issues']);
    expect(left({ excludeFolders: ['Projects/*'] })).toEqual(['Projects/Alpha', 'Projects/Beta']);
    expect(left({ excludeFolders: ['Sync Issues?'] })).toEqual(['Sync Issues2']);
  });

  it('a \\Junk pattern names the folder announced with that special use, and its subfolders, whatever their names', () => {
    expect(left({ excludeFolders: ['\\junk'] })).toEqual(['Junk Email', 'Junk Email/Old']);
  });

  it('the source delimiter is written as / in patterns, and regex characters are literal', () => {
    const dotted = [folder('INBOX', {}, '.'), folder('INBOX.Old (2019)', {}, '.'), folder('INBOX.Old (2019).Q1', {}, '.'), folder('INBOXxOld (2019)', {}, '.')];
    expect(left({ excludeFolders: ['INBOX/Old (2019)'] }, dotted)).toEqual(['INBOX.Old (2019)', 'INBOX.Old (2019).Q1']);
  });

  it('include keeps only matching folders and their subfolders; exclude wins; each left-out selectable folder is listed with its pattern', () => {
    const f = folderFilter(listing, { includeFolders: ['Projects', 'INBOX'], excludeFolders: ['Projects/Beta', 'No Such Folder'] });
    expect(listing.filter((x) => !f.left.has(x.path)).map((x) => x.path)).toEqual(['INBOX', 'Projects', 'Projects/Alpha']);
    expect(f.excluded).toContainEqual({ sourcePath: 'Projects/Beta', rule: 'exclude', pattern: 'Projects/Beta' });
    expect(f.excluded).toContainEqual({ sourcePath: 'Junk Email', rule: 'include', pattern: 'Projects; INBOX' });
    expect(f.unmatched).toEqual(['No Such Folder']);
  });

  it('no controls leave nothing out', () => {
    expect(folderFilter(listing, undefined).left.size).toBe(0);
    expect(folderFilter(listing, {}).excluded).toEqual([]);
  });

  it('lists are split on ";" and bad patterns are refused with a reason', () => {
    const ok = parseFolderPatterns(' Junk Email ; Deleted Items;;');
    expect('patterns' in ok && ok.patterns.map((p) => p.text)).toEqual(['Junk Email', 'Deleted Items']);
    expect(parseFolderPatterns('\\Spam')).toMatchObject({ problem: expect.stringContaining('not a special use') });
    expect(parseFolderPatterns('/')).toMatchObject({ problem: expect.stringContaining('names no folder') });
    expect(parseFolderPatterns('a\u0007b')).toMatchObject({ problem: expect.stringContaining('control character') });
  });
});

import { describe, expect, it } from 'vitest';
import type { DestinationFolders, FolderInfo } from '../../../../shared/domain/folders/folder-types.js';
import { planFolderMapping } from '../../../../shared/domain/folders/plan-folder-mapping.js';

function folder(path: string, flags: string[] = [], delimiter = '/'): FolderInfo {
  return { path, delimiter, flags };
}

const exchange = (folders: FolderInfo[] = []): DestinationFolders => ({ delimiter: '/', folders, kind: 'exchange' });
const generic = (folders: FolderInfo[] = [], delimiter = '/'): DestinationFolders => ({ delimiter, folders, kind: 'generic' });

describe('planFolderMapping: INBOX and special-use folders', () => {
  it('INBOX maps to INBOX whatever its case, and is never created', () => {
    const plan = planFolderMapping([folder('Inbox')], exchange());
    expect(plan.mappings).toEqual([{ sourcePath: 'Inbox', destinationPath: 'INBOX', create: false, selectable: true }]);
  });

  it('a folder announced through specialUse maps to the destination folder announcing the same use', () => {
    const source = [{ path: 'Gesendet', delimiter: '/', flags: ['\\HasNoChildren'], specialUse: '\\Sent' }];
    const plan = planFolderMapping(source, exchange([folder('Gesendete Elemente', ['\\Sent'])]));
    expect(plan.mappings).toEqual([
      { sourcePath: 'Gesendet', destinationPath: 'Gesendete Elemente', specialUse: '\\Sent', create: false, selectable: true },
    ]);
  });

  it('a special use carried only in the raw LIST flags counts too, in any case', () => {
    const plan = planFolderMapping([folder('Papierkorb', ['\\HasNoChildren', '\\trash'])], generic([folder('Trash', ['\\Trash'])]));
    expect(plan.mappings[0]).toMatchObject({ destinationPath: 'Trash', specialUse: '\\Trash', create: false });
  });

  it.each([
    ['exchange', '\\Sent', 'Sent Items'],
    ['exchange', '\\Drafts', 'Drafts'],
    ['exchange', '\\Trash', 'Deleted Items'],
    ['exchange', '\\Junk', 'Junk Email'],
    ['exchange', '\\Archive', 'Archive'],
    ['generic', '\\Sent', 'Sent'],
    ['generic', '\\Drafts', 'Drafts'],
    ['generic', '\\Trash', 'Trash'],
    ['generic', '\\Junk', 'Junk'],
    ['generic', '\\Archive', 'Archive'],
  ] as const)('without a %s destination folder for %s, it goes to the default name %s, to be created', (kind, role, name) => {
    const plan = planFolderMapping([folder('Whatever', [role])], { delimiter: '/', folders: [], kind });
    expect(plan.mappings).toEqual([{ sourcePath: 'Whatever', destinationPath: name, specialUse: role, create: true, selectable: true }]);
  });

  it('an existing destination folder with the default name is used when no folder announces the use', () => {
    const plan = planFolderMapping([folder('Sent', ['\\Sent'])], exchange([folder('sent items')]));
    expect(plan.mappings[0]).toMatchObject({ destinationPath: 'sent items', create: false });
  });

  it('a destination without SPECIAL-USE is matched by the usual names before a default folder is created', () => {
    const plan = planFolderMapping([folder('Junk', ['\\Junk'])], generic([folder('INBOX'), folder('Spam')]));
    expect(plan.mappings[0]).toMatchObject({ destinationPath: 'Spam', create: false });
  });

  it('of two folders both announcing \\Sent, the first in path order is the Sent folder and the other keeps its name', () => {
    const plan = planFolderMapping([folder('Sent Messages', ['\\Sent']), folder('Old Sent', ['\\Sent'])], exchange());
    expect(plan.mappings).toEqual([
      { sourcePath: 'Old Sent', destinationPath: 'Sent Items', specialUse: '\\Sent', create: true, selectable: true },
      { sourcePath: 'Sent Messages', destinationPath: 'Sent Messages', create: true, selectable: true },
    ]);
  });

  it.each([
    ['Sent Items', '\\Sent'],
    ['Sent Messages', '\\Sent'],
    ['sent', '\\Sent'],
    ['Gesendete Elemente', '\\Sent'],
    ['Deleted Items', '\\Trash'],
    ['Trash', '\\Trash'],
    ['Junk Email', '\\Junk'],
    ['Spam', '\\Junk'],
    ['Drafts', '\\Drafts'],
    ['Archive', '\\Archive'],
  ])('on a server without special-use flags, "%s" is recognised as %s', (name, role) => {
    const plan = planFolderMapping([folder(name)], generic());
    expect(plan.mappings[0]).toMatchObject({ specialUse: role });
  });

  it('usual names are recognised directly under INBOX, as Courier-style servers keep them', () => {
    const source = [folder('INBOX', [], '.'), folder('INBOX.Sent', [], '.'), folder('INBOX.Sent.2019', [], '.'), folder('INBOX.Trash', [], '.')];
    const plan = planFolderMapping(source, exchange());
    expect(plan.mappings.map((m) => [m.sourcePath, m.destinationPath, m.specialUse])).toEqual([
      ['INBOX', 'INBOX', undefined],
      ['INBOX.Sent', 'Sent Items', '\\Sent'],
      ['INBOX.Sent.2019', 'Sent Items/2019', undefined],
      ['INBOX.Trash', 'Deleted Items', '\\Trash'],
    ]);
  });

  it('a deeper folder with a usual name is an ordinary folder', () => {
    expect(planFolderMapping([folder('Projects'), folder('Projects/Sent')], generic()).mappings[1]).not.toHaveProperty('specialUse');
  });

  it('names are not guessed for a role some folder announces; a same-named folder is numbered on Exchange', () => {
    const plan = planFolderMapping([folder('Sent', ['\\Sent']), folder('Sent Items')], exchange());
    expect(plan.mappings).toEqual([
      { sourcePath: 'Sent', destinationPath: 'Sent Items', specialUse: '\\Sent', create: true, selectable: true },
      { sourcePath: 'Sent Items', destinationPath: 'Sent Items (2)', create: true, selectable: true },
    ]);
    expect(plan.renamed).toEqual([
      {
        sourcePath: 'Sent Items',
        destinationPath: 'Sent Items (2)',
        code: 'NAME_COLLISION',
        reason: '"Sent Items" is already taken by source folder "Sent"',
      },
    ]);
  });
});

describe('planFolderMapping: virtual and container folders', () => {
  it.each(['\\Flagged', '\\Important'])('a %s folder is skipped as virtual', (flag) => {
    const plan = planFolderMapping([folder('View', [flag])], exchange());
    expect(plan.mappings).toEqual([]);
    expect(plan.skipped).toEqual([
      { sourcePath: 'View', code: 'VIRTUAL_FOLDER', reason: `${flag} is a virtual folder showing messages stored in other folders; copying it would duplicate them` },
    ]);
  });

  it("a \\All folder sends its archived-only messages to the destination's Archive folder, as a folder of its own", () => {
    const plan = planFolderMapping([folder('Projects/Archive'), folder('[Gmail]', ['\\Noselect', '\\HasChildren']), folder('[Gmail]/All Mail', ['\\All'])], exchange());
    expect(plan.mappings).toEqual([
      { sourcePath: 'Projects', destinationPath: 'Projects', create: true, selectable: false },
      { sourcePath: 'Projects/Archive', destinationPath: 'Projects/Archive', create: true, selectable: true },
      { sourcePath: '[Gmail]/All Mail', destinationPath: 'Archive', create: true, selectable: true, archivedOnly: true },
    ]);
    expect(plan.skipped.map((s) => s.sourcePath)).toEqual(['[Gmail]']);
  });

  it('a top-level label named "Archive" is taken for the Archive role by its name, so All Mail\'s archived-only mail gets a numbered name beside it', () => {
    const plan = planFolderMapping([folder('Archive'), folder('[Gmail]/All Mail', ['\\All'])], exchange());
    expect(plan.mappings.map((m) => [m.sourcePath, m.destinationPath])).toEqual([
      ['Archive', 'Archive'],
      ['[Gmail]/All Mail', 'Archive (2)'],
    ]);
  });

  it('a \\All folder goes to the configured archive folder, existing or not', () => {
    const existing = planFolderMapping([folder('All', ['\\All'])], { ...generic(), folders: [folder('Old/Gmail')], archiveFolder: 'old/gmail' });
    expect(existing.mappings).toEqual([{ sourcePath: 'All', destinationPath: 'old/gmail', create: true, selectable: true, archivedOnly: true }]);
    const onExchange = planFolderMapping([folder('All', ['\\All'])], { ...exchange(), folders: [folder('Old/Gmail')], archiveFolder: 'old/gmail' });
    expect(onExchange.mappings).toEqual([{ sourcePath: 'All', destinationPath: 'Old/Gmail', create: false, selectable: true, archivedOnly: true }]);
  });

  it('a \\All folder whose archive is taken by the source\'s own \\Archive folder gets a numbered name, reported as renamed', () => {
    const plan = planFolderMapping([folder('Archives', ['\\Archive']), folder('All', ['\\All'])], generic());
    expect(plan.mappings.map((m) => [m.sourcePath, m.destinationPath])).toEqual([
      ['All', 'Archive (2)'],
      ['Archives', 'Archive'],
    ]);
    expect(plan.renamed).toEqual([{ sourcePath: 'All', destinationPath: 'Archive (2)', code: 'NAME_COLLISION', reason: '"Archive" is already taken by another source folder' }]);
  });

  it('a \\Noselect \\All folder holds nothing and is skipped as virtual', () => {
    const plan = planFolderMapping([folder('All', ['\\All', '\\Noselect'])], exchange());
    expect(plan.mappings).toEqual([]);
    expect(plan.skipped.map((s) => s.code)).toEqual(['VIRTUAL_FOLDER']);
  });

  it("Gmail's [Gmail] container is skipped and its ordinary subfolders move to the top level", () => {
    const plan = planFolderMapping([folder('[Gmail]', ['\\Noselect', '\\HasChildren']), folder('[Gmail]/Chats')], exchange());
    expect(plan.skipped).toEqual([
      { sourcePath: '[Gmail]', code: 'VIRTUAL_FOLDER', reason: "Gmail's container of its system folders; its subfolders move to the top level" },
    ]);
    expect(plan.mappings).toEqual([{ sourcePath: '[Gmail]/Chats', destinationPath: 'Chats', create: true, selectable: true }]);
  });

  it('a \\Noselect folder with children becomes a container: created, nothing copied', () => {
    const plan = planFolderMapping([folder('Clients', ['\\Noselect', '\\HasChildren']), folder('Clients/Acme')], generic());
    expect(plan.mappings).toEqual([
      { sourcePath: 'Clients', destinationPath: 'Clients', create: true, selectable: false },
      { sourcePath: 'Clients/Acme', destinationPath: 'Clients/Acme', create: true, selectable: true },
    ]);
  });

  it('a \\Noselect folder announcing children the listing does not show is still a container', () => {
    expect(planFolderMapping([folder('Shared', ['\\Noselect', '\\HasChildren'])], generic()).mappings[0]).toMatchObject({ selectable: false });
  });

  it('a \\Noselect folder without children holds nothing and is skipped', () => {
    const plan = planFolderMapping([folder('Empty', ['\\Noselect', '\\HasNoChildren'])], generic());
    expect(plan.mappings).toEqual([]);
    expect(plan.skipped[0]).toMatchObject({ sourcePath: 'Empty', code: 'VIRTUAL_FOLDER' });
  });

  it('a parent the server did not list is planned as a container before its child', () => {
    const plan = planFolderMapping([folder('A/B/C')], generic());
    expect(plan.mappings).toEqual([
      { sourcePath: 'A', destinationPath: 'A', create: true, selectable: false },
      { sourcePath: 'A/B', destinationPath: 'A/B', create: true, selectable: false },
      { sourcePath: 'A/B/C', destinationPath: 'A/B/C', create: true, selectable: true },
    ]);
  });
});

describe('planFolderMapping: hierarchy and names', () => {
  it('a path is split on the source delimiter and joined with the destination delimiter', () => {
    const plan = planFolderMapping([folder('Work', [], '.'), folder('Work.Clients', [], '.'), folder('Work.Clients.Acme', [], '.')], exchange());
    expect(plan.mappings.map((m) => m.destinationPath)).toEqual(['Work', 'Work/Clients', 'Work/Clients/Acme']);
  });

  it('a destination delimiter inside a name becomes "_", is listed as renamed, and children follow the new name', () => {
    const plan = planFolderMapping([folder('Q1/Q2', [], '.'), folder('Q1/Q2.Invoices', [], '.')], exchange());
    expect(plan.mappings.map((m) => m.destinationPath)).toEqual(['Q1_Q2', 'Q1_Q2/Invoices']);
    expect(plan.renamed).toEqual([
      {
        sourcePath: 'Q1/Q2',
        destinationPath: 'Q1_Q2',
        code: 'DELIMITER_IN_NAME',
        reason: '"/" separates folders at the destination; replaced by "_" in the name',
      },
    ]);
  });

  it('a top-level Files folder is reserved on Exchange and renamed, children following', () => {
    const plan = planFolderMapping([folder('Files'), folder('Files/2024'), folder('Work'), folder('Work/Files')], exchange());
    expect(plan.mappings.map((m) => m.destinationPath)).toEqual(['Files (migrated)', 'Files (migrated)/2024', 'Work', 'Work/Files']);
    expect(plan.renamed).toEqual([
      {
        sourcePath: 'Files',
        destinationPath: 'Files (migrated)',
        code: 'RESERVED_NAME',
        reason: '"Files" is reserved at the top of an Exchange mailbox',
      },
    ]);
  });

  it('Files is an ordinary name on other servers', () => {
    expect(planFolderMapping([folder('Files')], generic()).mappings[0]?.destinationPath).toBe('Files');
  });

  it('on Exchange, folders differing only in case collide: the second gets " (2)" and is listed', () => {
    const plan = planFolderMapping([folder('projects'), folder('Projects'), folder('PROJECTS'), folder('Projects/Q1')], exchange());
    expect(plan.mappings.map((m) => [m.sourcePath, m.destinationPath])).toEqual([
      ['PROJECTS', 'PROJECTS'],
      ['Projects', 'Projects (2)'],
      ['Projects/Q1', 'Projects (2)/Q1'],
      ['projects', 'projects (3)'],
    ]);
    expect(plan.renamed.map((r) => r.reason)).toEqual([
      '"Projects" is already taken by source folder "PROJECTS" (Exchange folder names are case-insensitive)',
      '"projects" is already taken by source folder "PROJECTS" (Exchange folder names are case-insensitive)',
    ]);
  });

  it('on other servers names are case-sensitive and do not collide', () => {
    const plan = planFolderMapping([folder('projects'), folder('Projects')], generic());
    expect(plan.mappings.map((m) => m.destinationPath)).toEqual(['Projects', 'projects']);
    expect(plan.renamed).toEqual([]);
  });

  it('a name collision created by the "_" replacement is numbered too', () => {
    const plan = planFolderMapping([folder('a/b', [], '.'), folder('a_b', [], '.')], exchange());
    expect(plan.mappings.map((m) => [m.sourcePath, m.destinationPath])).toEqual([
      ['a/b', 'a_b'],
      ['a_b', 'a_b (2)'],
    ]);
  });

  it('on Exchange, leading and trailing spaces are trimmed and listed as a rename', () => {
    const plan = planFolderMapping([folder(' Old Stuff ')], exchange());
    expect(plan.mappings[0]?.destinationPath).toBe('Old Stuff');
    expect(plan.renamed[0]).toMatchObject({ code: 'WHITESPACE_TRIMMED', destinationPath: 'Old Stuff' });
  });

  it('on Exchange, a name longer than 255 characters is rejected with its children', () => {
    const long = 'x'.repeat(256);
    const plan = planFolderMapping([folder(long), folder(`${long}/child`), folder('y'.repeat(255))], exchange());
    expect(plan.mappings.map((m) => m.destinationPath)).toEqual(['y'.repeat(255)]);
    expect(plan.skipped).toEqual([
      { sourcePath: long, code: 'NAME_REJECTED', reason: 'folder name longer than 255 characters' },
      { sourcePath: `${long}/child`, code: 'NAME_REJECTED', reason: `parent folder "${long}" is not migrated` },
    ]);
  });

  it('long names are kept on other servers', () => {
    expect(planFolderMapping([folder('x'.repeat(300))], generic()).skipped).toEqual([]);
  });

  it.each([
    ['exchange', exchange()],
    ['generic', generic()],
  ])('an empty path segment is rejected on %s, with the folders below it', (_, destination) => {
    const plan = planFolderMapping([folder('a'), folder('a/'), folder('a//b')], destination);
    expect(plan.mappings.map((m) => m.sourcePath)).toEqual(['a']);
    expect(plan.skipped).toEqual([
      { sourcePath: 'a/', code: 'NAME_REJECTED', reason: 'empty folder name' },
      { sourcePath: 'a//b', code: 'NAME_REJECTED', reason: 'parent folder "a/" is not migrated' },
    ]);
  });

  it('a name of only spaces is rejected on Exchange and kept elsewhere', () => {
    expect(planFolderMapping([folder('   ')], exchange()).skipped[0]).toMatchObject({ code: 'NAME_REJECTED', reason: 'folder name is only spaces' });
    expect(planFolderMapping([folder('   ')], generic()).mappings[0]?.destinationPath).toBe('   ');
  });

  it('a destination without hierarchy is refused up front', () => {
    expect(() => planFolderMapping([folder('INBOX')], { delimiter: '', folders: [], kind: 'generic' })).toThrow(RangeError);
  });
});

describe('planFolderMapping: create flags and order', () => {
  it('create is false where the destination already has the folder, case-insensitively on Exchange, keeping its casing', () => {
    const plan = planFolderMapping([folder('Work'), folder('Work/Acme'), folder('New')], exchange([folder('work'), folder('work/ACME')]));
    expect(plan.mappings).toEqual([
      { sourcePath: 'New', destinationPath: 'New', create: true, selectable: true },
      { sourcePath: 'Work', destinationPath: 'work', create: false, selectable: true },
      { sourcePath: 'Work/Acme', destinationPath: 'work/ACME', create: false, selectable: true },
    ]);
  });

  it('create compares exactly on other servers', () => {
    const plan = planFolderMapping([folder('Work')], generic([folder('work')]));
    expect(plan.mappings[0]).toMatchObject({ destinationPath: 'Work', create: true });
  });

  it('a second pass onto the folders the first pass created creates nothing and maps identically', () => {
    const source = [folder('INBOX'), folder('Sent', ['\\Sent']), folder('Files'), folder('a/b', [], '.'), folder('X'), folder('x')];
    const first = planFolderMapping(source, exchange([folder('INBOX')]));
    const created = first.mappings.map((m) => folder(m.destinationPath, m.specialUse ? [m.specialUse] : []));
    const second = planFolderMapping(source, exchange(created));
    expect(second.mappings.map((m) => m.destinationPath)).toEqual(first.mappings.map((m) => m.destinationPath));
    expect(second.mappings.every((m) => !m.create)).toBe(true);
  });

  it('mappings come INBOX first, then parents before children in code-point order, whatever the server order', () => {
    const source = [folder('b/c'), folder('a'), folder('b'), folder('INBOX/x'), folder('INBOX'), folder('B')];
    expect(planFolderMapping(source, generic()).mappings.map((m) => m.sourcePath)).toEqual(['INBOX', 'INBOX/x', 'B', 'a', 'b', 'b/c']);
  });
});

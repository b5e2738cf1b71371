import { describe, expect, it } from 'vitest';
import type { FolderPlan } from '../../../../shared/domain/folders/folder-types.js';
import { planFolderMapping } from '../../../../shared/domain/folders/plan-folder-mapping.js';
import {
  dovecotMaildirMailbox,
  exchangeOnlineMailbox,
  freshDovecotDestination,
  freshExchangeDestination,
  gmailMailbox,
} from './realistic-folder-lists.js';

/** [source, destination, create, special use] per mapping: the plan as a reviewer reads it. */
type Row = [string, string, boolean, string?];

function rows(plan: FolderPlan): Row[] {
  return plan.mappings.map((m) => {
    expect(m.selectable).toBe(true);
    const row: Row = [m.sourcePath, m.destinationPath, m.create];
    if (m.specialUse) row.push(m.specialUse);
    return row;
  });
}

describe('planFolderMapping on realistic folder lists', () => {
  it('Exchange Online to Dovecot: role folders onto Dovecot\'s, "/" paths joined with ".", a "." in a name replaced', () => {
    const plan = planFolderMapping(exchangeOnlineMailbox, { delimiter: '.', folders: freshDovecotDestination, kind: 'generic' });
    expect(rows(plan)).toEqual<Row[]>([
      ['INBOX', 'INBOX', false],
      ['INBOX/Projects', 'INBOX.Projects', true],
      ['INBOX/Projects/2024', 'INBOX.Projects.2024', true],
      ['Archive', 'Archive', true, '\\Archive'],
      ['Calendar', 'Calendar', true],
      ['Calendar/Birthdays', 'Calendar.Birthdays', true],
      ['Clients.Old', 'Clients_Old', true],
      ['Contacts', 'Contacts', true],
      ['Conversation History', 'Conversation History', true],
      ['Deleted Items', 'Trash', false, '\\Trash'],
      ['Drafts', 'Drafts', false, '\\Drafts'],
      ['Journal', 'Journal', true],
      ['Junk Email', 'Junk', false, '\\Junk'],
      ['Notes', 'Notes', true],
      ['Outbox', 'Outbox', true],
      ['Rechnungen äöü', 'Rechnungen äöü', true],
      ['Sent Items', 'Sent', false, '\\Sent'],
    ]);
    expect(plan.skipped).toEqual([]);
    expect(plan.renamed).toEqual([
      {
        sourcePath: 'Clients.Old',
        destinationPath: 'Clients_Old',
        code: 'DELIMITER_IN_NAME',
        reason: '"." separates folders at the destination; replaced by "_" in the name',
      },
    ]);
  });

  it('Dovecot to Exchange Online: Exchange names for role folders, Files reserved, case collisions and spaces resolved', () => {
    const plan = planFolderMapping(dovecotMaildirMailbox, { delimiter: '/', folders: freshExchangeDestination, kind: 'exchange' });
    expect(rows(plan)).toEqual<Row[]>([
      ['INBOX', 'INBOX', false],
      ['INBOX.Receipts', 'INBOX/Receipts', true],
      [' Notes ', 'Notes', true],
      ['Archive', 'Archive', false, '\\Archive'],
      ['Archive.2023', 'Archive/2023', true],
      ['Drafts', 'Drafts', false, '\\Drafts'],
      ['Files', 'Files (migrated)', true],
      ['Invoices 1/2', 'Invoices 1_2', true],
      ['Junk', 'Junk Email', false, '\\Junk'],
      ['Projects', 'Projects', true],
      ['Sent', 'Sent Items', false, '\\Sent'],
      ['Sent Items', 'Sent Items (2)', true],
      ['Trash', 'Deleted Items', false, '\\Trash'],
      ['projects', 'projects (2)', true],
    ]);
    expect(plan.skipped).toEqual([]);
    expect(plan.renamed.map((r) => [r.sourcePath, r.destinationPath, r.code])).toEqual([
      [' Notes ', 'Notes', 'WHITESPACE_TRIMMED'],
      ['Files', 'Files (migrated)', 'RESERVED_NAME'],
      ['Invoices 1/2', 'Invoices 1_2', 'DELIMITER_IN_NAME'],
      ['Sent Items', 'Sent Items (2)', 'NAME_COLLISION'],
      ['projects', 'projects (2)', 'NAME_COLLISION'],
    ]);
  });

  it('Gmail to Exchange Online: labels become folders, [Gmail] system folders land on Exchange\'s, All Mail\'s archived-only mail goes to Archive, the other views are skipped', () => {
    const plan = planFolderMapping(gmailMailbox, { delimiter: '/', folders: freshExchangeDestination, kind: 'exchange' });
    expect(rows(plan)).toEqual<Row[]>([
      ['INBOX', 'INBOX', false],
      ['Personal', 'Personal', true],
      ['Receipts', 'Receipts', true],
      ['Work', 'Work', true],
      ['Work/Clients', 'Work/Clients', true],
      ['[Gmail]/All Mail', 'Archive', false],
      ['[Gmail]/Bin', 'Deleted Items', false, '\\Trash'],
      ['[Gmail]/Drafts', 'Drafts', false, '\\Drafts'],
      ['[Gmail]/Sent Mail', 'Sent Items', false, '\\Sent'],
      ['[Gmail]/Spam', 'Junk Email', false, '\\Junk'],
    ]);
    expect(plan.skipped.map((s) => [s.sourcePath, s.code])).toEqual([
      ['[Gmail]', 'VIRTUAL_FOLDER'],
      ['[Gmail]/Important', 'VIRTUAL_FOLDER'],
      ['[Gmail]/Starred', 'VIRTUAL_FOLDER'],
    ]);
    expect(plan.renamed).toEqual([]);
  });

  it('Gmail to Dovecot: the same Gmail list lands on Dovecot\'s role folders', () => {
    const plan = planFolderMapping(gmailMailbox, { delimiter: '.', folders: freshDovecotDestination, kind: 'generic' });
    expect(rows(plan).filter((row) => row[3] !== undefined)).toEqual<Row[]>([
      ['[Gmail]/Bin', 'Trash', false, '\\Trash'],
      ['[Gmail]/Drafts', 'Drafts', false, '\\Drafts'],
      ['[Gmail]/Sent Mail', 'Sent', false, '\\Sent'],
      ['[Gmail]/Spam', 'Junk', false, '\\Junk'],
    ]);
    expect(destinationOf(plan, 'Work/Clients')).toBe('Work.Clients');
  });
});

function destinationOf(plan: FolderPlan, sourcePath: string): string | undefined {
  return plan.mappings.find((m) => m.sourcePath === sourcePath)?.destinationPath;
}

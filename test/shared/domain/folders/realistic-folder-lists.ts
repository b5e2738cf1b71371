import type { FolderInfo } from '../../../../shared/domain/folders/folder-types.js';

// Folder lists as real servers return them from LIST (RFC 6154 attributes included where the
// server announces them), decoded from modified UTF-7.

const slash = (path: string, ...flags: string[]): FolderInfo => ({ path, delimiter: '/', flags });
const dot = (path: string, ...flags: string[]): FolderInfo => ({ path, delimiter: '.', flags });

/** Exchange Online: `/` separator, special-use flags, non-mail folders visible over IMAP. */
export const exchangeOnlineMailbox: FolderInfo[] = [
  slash('Archive', '\\HasNoChildren', '\\Archive'),
  slash('Calendar', '\\HasChildren'),
  slash('Calendar/Birthdays', '\\HasNoChildren'),
  slash('Contacts', '\\HasNoChildren'),
  slash('Conversation History', '\\HasNoChildren'),
  slash('Deleted Items', '\\HasNoChildren', '\\Trash'),
  slash('Drafts', '\\HasNoChildren', '\\Drafts'),
  slash('INBOX', '\\Marked', '\\HasChildren'),
  slash('INBOX/Projects', '\\HasChildren'),
  slash('INBOX/Projects/2024', '\\HasNoChildren'),
  slash('Journal', '\\HasNoChildren'),
  slash('Junk Email', '\\HasNoChildren', '\\Junk'),
  slash('Notes', '\\HasNoChildren'),
  slash('Outbox', '\\HasNoChildren'),
  slash('Sent Items', '\\HasNoChildren', '\\Sent'),
  slash('Clients.Old', '\\HasNoChildren'),
  slash('Rechnungen äöü', '\\HasNoChildren'),
];

/** Dovecot with Maildir++ (`.` separator) and SPECIAL-USE configured for the usual folders. */
export const dovecotMaildirMailbox: FolderInfo[] = [
  dot('INBOX', '\\HasChildren'),
  dot('INBOX.Receipts', '\\HasNoChildren'),
  dot('Sent', '\\HasNoChildren', '\\Sent'),
  dot('Drafts', '\\HasNoChildren', '\\Drafts'),
  dot('Trash', '\\HasNoChildren', '\\Trash'),
  dot('Junk', '\\HasNoChildren', '\\Junk'),
  dot('Archive', '\\HasChildren', '\\Archive'),
  dot('Archive.2023', '\\HasNoChildren'),
  dot('Files', '\\HasNoChildren'),
  dot('Projects', '\\HasNoChildren'),
  dot('projects', '\\HasNoChildren'),
  dot('Invoices 1/2', '\\HasNoChildren'),
  dot(' Notes ', '\\HasNoChildren'),
  dot('Sent Items', '\\HasNoChildren'),
];

/** Gmail: `/` separator, labels as folders, system folders under the `[Gmail]` container. */
export const gmailMailbox: FolderInfo[] = [
  slash('INBOX', '\\HasNoChildren'),
  slash('Personal', '\\HasNoChildren'),
  slash('Receipts', '\\HasNoChildren'),
  slash('Work', '\\HasChildren'),
  slash('Work/Clients', '\\HasNoChildren'),
  slash('[Gmail]', '\\HasChildren', '\\Noselect'),
  slash('[Gmail]/All Mail', '\\All', '\\HasNoChildren'),
  slash('[Gmail]/Drafts', '\\Drafts', '\\HasNoChildren'),
  slash('[Gmail]/Important', '\\HasNoChildren', '\\Important'),
  slash('[Gmail]/Sent Mail', '\\HasNoChildren', '\\Sent'),
  slash('[Gmail]/Spam', '\\HasNoChildren', '\\Junk'),
  slash('[Gmail]/Starred', '\\Flagged', '\\HasNoChildren'),
  slash('[Gmail]/Bin', '\\HasNoChildren', '\\Trash'),
];

/** A fresh Exchange Online mailbox as the destination. */
export const freshExchangeDestination: FolderInfo[] = exchangeOnlineMailbox.filter((f) =>
  ['INBOX', 'Archive', 'Deleted Items', 'Drafts', 'Junk Email', 'Sent Items', 'Outbox', 'Calendar', 'Contacts'].includes(f.path),
);

/** A fresh Dovecot mailbox (`.` separator) with its auto-created special folders. */
export const freshDovecotDestination: FolderInfo[] = [
  dot('INBOX', '\\HasNoChildren'),
  dot('Drafts', '\\HasNoChildren', '\\Drafts'),
  dot('Junk', '\\HasNoChildren', '\\Junk'),
  dot('Sent', '\\HasNoChildren', '\\Sent'),
  dot('Trash', '\\HasNoChildren', '\\Trash'),
];

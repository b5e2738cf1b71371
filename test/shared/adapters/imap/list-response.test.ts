import { describe, expect, it } from 'vitest';
import { decodeMailboxName, parseList, parseStatus } from '../../../../shared/adapters/imap/list-response.js';

describe('LIST and STATUS responses', () => {
  it('reads attributes, delimiter and name; special use from the attributes only', () => {
    expect(parseList({ parts: ['* LIST (\\HasNoChildren \\Sent) "/" "Sent Items"'], literals: [] })).toEqual({ path: 'Sent Items', delimiter: '/', flags: ['\\HasNoChildren', '\\Sent'], specialUse: '\\Sent' });
    expect(parseList({ parts: ['* LIST () "." INBOX.Archive'], literals: [] })).toEqual({ path: 'INBOX.Archive', delimiter: '.', flags: [] });
    expect(parseList({ parts: ['* LIST (\\Noselect) NIL ""'], literals: [] })).toEqual({ path: '', delimiter: '/', flags: ['\\Noselect'] });
    // Older XLIST names for the same roles.
    expect(parseList({ parts: ['* XLIST (\\HasNoChildren \\Spam) "/" "[Gmail]/Spam"'], literals: [] })?.specialUse).toBe('\\Junk');
  });

  it('a name sent as a literal, quoted with escapes, in modified UTF-7, or inbox in lower case', () => {
    expect(parseList({ parts: ['* LIST (\\HasNoChildren) "/" ', ''], literals: [Buffer.from('Say "hi"')] })?.path).toBe('Say "hi"');
    expect(parseList({ parts: ['* LIST () "/" "a \\"b\\" \\\\ c"'], literals: [] })?.path).toBe('a "b" \\ c');
    expect(parseList({ parts: ['* LIST () "/" "Entw&APw-rfe"'], literals: [] })?.path).toBe('Entwürfe');
    expect(decodeMailboxName('&ZeVnLIqe-')).toBe('日本語');
    expect(parseList({ parts: ['* LIST () "/" inbox'], literals: [] })?.path).toBe('INBOX');
    // Raw UTF-8 from a server that sends it unasked (read off the wire as Latin-1).
    expect(parseList({ parts: [`* LIST () "/" "${Buffer.from('Entwürfe').toString('latin1')}"`], literals: [] })?.path).toBe('Entwürfe');
  });

  it('STATUS items in any order; other responses are not taken', () => {
    expect(parseStatus({ parts: ['* STATUS "Projects/2024" (UIDVALIDITY 17 MESSAGES 3 UIDNEXT 9)'], literals: [] })).toEqual({ path: 'Projects/2024', messages: 3, uidNext: 9, uidValidity: '17' });
    expect(parseStatus({ parts: ['* LIST () "/" INBOX'], literals: [] })).toBeUndefined();
    expect(parseList({ parts: ['* STATUS INBOX (MESSAGES 1)'], literals: [] })).toBeUndefined();
  });
});

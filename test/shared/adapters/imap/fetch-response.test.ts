import { describe, expect, it } from 'vitest';
import { parseFetch } from '../../../../shared/adapters/imap/fetch-response.js';
import { parseImapDateTime } from '../../../../shared/adapters/imap/imap-date-time.js';

const body = Buffer.from('Subject: x\r\n\r\nhello ) "quoted" {5}\r\n');

describe('FETCH responses', () => {
  it('reads UID, FLAGS, INTERNALDATE, RFC822.SIZE and the body literal, in any order', () => {
    const row = parseFetch({ parts: ['* 12 FETCH (UID 40 RFC822.SIZE 41 FLAGS (\\Seen $Forwarded) INTERNALDATE "01-Jan-2022 02:01:30 +0200" BODY[] ', ')'], literals: [body] });
    expect(row).toEqual({ seq: 12, uid: 40, size: 41, flags: ['\\Seen', '$Forwarded'], internalDate: '2022-01-01T00:01:30.000Z', section: '', body });
    const other = parseFetch({ parts: ['* 3 FETCH (BODY[] ', ' UID 7 FLAGS ())'], literals: [body] });
    expect(other).toEqual({ seq: 3, uid: 7, flags: [], section: '', body });
  });

  it('a flag update nobody asked for has no body; a header section keeps its name; NIL and quoted bodies', () => {
    expect(parseFetch({ parts: ['* 9 FETCH (FLAGS (\\Deleted) UID 9)'], literals: [] })).toEqual({ seq: 9, flags: ['\\Deleted'], uid: 9 });
    const h = parseFetch({ parts: ['* 1 FETCH (UID 1 BODY[HEADER.FIELDS (MESSAGE-ID DATE)] ', ')'], literals: [Buffer.from('Date: x\r\n\r\n')] });
    expect(h?.section).toBe('HEADER.FIELDS (MESSAGE-ID DATE)');
    expect(h?.body?.toString()).toBe('Date: x\r\n\r\n');
    expect(parseFetch({ parts: ['* 2 FETCH (UID 2 BODY[] NIL)'], literals: [] })?.body?.length).toBe(0);
    expect(parseFetch({ parts: ['* 2 FETCH (UID 2 BODY[] "a \\"b\\"")'], literals: [] })?.body?.toString()).toBe('a "b"');
  });

  it('is not fooled by other untagged responses', () => {
    expect(parseFetch({ parts: ['* 5 EXISTS'], literals: [] })).toBeUndefined();
    expect(parseFetch({ parts: ['* OK [UIDNEXT 4] next'], literals: [] })).toBeUndefined();
  });

  it('dates: space-padded day, west of UTC, nonsense', () => {
    expect(parseImapDateTime(' 1-Feb-2023 23:30:00 -0500')).toBe('2023-02-02T04:30:00.000Z');
    expect(parseImapDateTime('yesterday')).toBeUndefined();
  });
});

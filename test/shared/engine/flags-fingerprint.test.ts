import { describe, expect, it } from 'vitest';
import { decodeHeaderWords } from '../../../shared/adapters/lazy-modules.js';
import { appendFlags } from '../../../shared/engine/flags.js';
import { contentHash, headerHash, messageId } from '../../../shared/engine/fingerprint.js';

describe('appendFlags', () => {
  it('drops \\Recent and keeps keywords where PERMANENTFLAGS has \\*', () => {
    expect(appendFlags(['\\Seen', '\\Recent', '$Forwarded', 'Project-X'], ['\\Seen', '\\*'])).toEqual({ flags: ['\\Seen', '$Forwarded', 'Project-X'], dropped: 0 });
  });

  it('Exchange-like PERMANENTFLAGS without \\*: keeps system flags and $MDNSent, counts dropped keywords', () => {
    const perm = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '$MDNSent'];
    expect(appendFlags(['\\Seen', '\\Flagged', '$MDNSent', '$Forwarded', 'Project-X'], perm)).toEqual({ flags: ['\\Seen', '\\Flagged', '$MDNSent'], dropped: 2 });
  });
});

describe('fingerprint', () => {
  const a = Buffer.from('Message-ID: <A@x>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nFrom: "Ann" <ann@x.com>\r\nTo: bob@y.com\r\nSubject: Hi\r\n\r\nbody\r\n');
  it('headerHash: equal for a re-encoded copy (folded headers, display names), different for another message', () => {
    const regenerated = Buffer.from('Subject: Hi\r\nFrom: Ann Smith\r\n <ann@x.com>\r\nTo: <bob@y.com>\r\nDate: Mon, 01 Jan 2024 11:00:00 +0100\r\nMessage-ID: <a@x>\r\nX-MS-Exchange: 1\r\n\r\nother body encoding\r\n');
    expect(headerHash(regenerated, decodeHeaderWords)).toBe(headerHash(a, decodeHeaderWords));
    const other = Buffer.from(a.toString().replace('Subject: Hi', 'Subject: Hi again'));
    expect(headerHash(other, decodeHeaderWords)).not.toBe(headerHash(a, decodeHeaderWords));
  });
  it('headerHash: the same subject in another encoded-word form (charset, B vs Q) is the same identity', () => {
    const q = Buffer.from('Message-ID: <u@x>\r\nSubject: =?utf-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\nx');
    const b = Buffer.from('Message-ID: <u@x>\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n\r\nx');
    const plain = Buffer.from('Message-ID: <u@x>\r\nSubject: Grüße\r\n\r\nx');
    expect(headerHash(q, decodeHeaderWords)).toBe(headerHash(b, decodeHeaderWords));
    expect(headerHash(q, decodeHeaderWords)).toBe(headerHash(plain, decodeHeaderWords));
  });

  it('contentHash: any byte change changes it; messageId reads the header', () => {
    expect(contentHash(Buffer.concat([a, Buffer.from(' ')]))).not.toBe(contentHash(a));
    expect(messageId(a)).toBe('A@x');
    expect(messageId(Buffer.from('Subject: none\r\n\r\nx'))).toBeUndefined();
  });
});

import { describe, expect, test } from 'vitest';
import { LARGE_MESSAGE_SUBJECT, SHARED_MESSAGE_ID, bulkCorpus, makeMessage, standardCorpus } from './corpus.js';

const header = (raw: Buffer, name: string): string | undefined => {
  const head = raw.toString('utf8').split('\r\n\r\n')[0]!;
  return new RegExp(`^${name}: (.*(?:\\r\\n[ \\t].*)*)$`, 'mi').exec(head)?.[1];
};

describe('test corpus', () => {
  test('makeMessage is deterministic, CRLF only, no line over 998 bytes, body of the asked size', () => {
    const opts = { subject: 'Hello', from: 'a@contoso.example', to: 'b@contoso.example', date: new Date('2024-03-04T05:06:07Z'), bodyBytes: 5000, seed: 7 };
    const a = makeMessage(opts);
    expect(a.equals(makeMessage(opts))).toBe(true);
    expect(a.equals(makeMessage({ ...opts, seed: 8 }))).toBe(false);
    const text = a.toString('utf8');
    expect(text).not.toMatch(/[^\r]\n|\r[^\n]/);
    expect(Math.max(...text.split('\r\n').map((l) => Buffer.byteLength(l)))).toBeLessThanOrEqual(998);
    expect(Buffer.byteLength(text.slice(text.indexOf('\r\n\r\n') + 4))).toBe(5000);
    expect(header(a, 'Date')).toBe('Mon, 04 Mar 2024 05:06:07 +0000');
    expect(header(a, 'Message-ID')).toMatch(/^<[0-9a-f]{24}@corpus\.mailmig\.test>$/);
  });

  test('messageId null leaves the header out; a non-ASCII subject is RFC 2047 encoded', () => {
    const raw = makeMessage({ subject: 'Grüße – 日本語', from: 'a@contoso.example', to: 'b@contoso.example', date: new Date(0), messageId: null, seed: 1 });
    expect(header(raw, 'Message-ID')).toBeUndefined();
    const subject = header(raw, 'Subject')!;
    expect(subject).toMatch(/^=\?UTF-8\?B\?/);
    const decoded = subject.split(/\r\n /).map((w) => Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(w)![1]!, 'base64').toString('utf8')).join('');
    expect(decoded).toBe('Grüße – 日本語');
  });

  test('the standard corpus has every case a migration must get right', () => {
    const corpus = standardCorpus({ largeMessageBytes: 3 * 1024 * 1024 });
    const paths = corpus.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['INBOX', 'Projects/2024/Q1', 'Entwürfe alt', 'Входящие/Архив', '日本語', 'Team.Notes', 'Sent Items', 'Deleted Items', 'Junk Email', 'Drafts', 'Archive']));
    expect(corpus.filter((f) => f.specialUse).map((f) => f.specialUse).sort()).toEqual(['\\Archive', '\\Drafts', '\\Junk', '\\Sent', '\\Trash']);
    const all = corpus.flatMap((f) => f.messages);
    const flags = new Set(all.flatMap((m) => m.flags ?? []));
    for (const f of ['\\Seen', '\\Flagged', '\\Answered', '\\Draft', '$Forwarded', 'Project-X']) expect(flags).toContain(f);
    const raws = all.map((m) => m.raw as Buffer);
    expect(raws.filter((r) => header(r, 'Message-ID') === undefined)).toHaveLength(1);
    const shared = raws.filter((r) => header(r, 'Message-ID') === SHARED_MESSAGE_ID);
    expect(shared).toHaveLength(2);
    expect(shared[0]!.equals(shared[1]!)).toBe(false);
    for (const m of all) expect(m.internalDate!.getTime()).not.toBe(Date.parse(header(m.raw as Buffer, 'Date')!));
    const large = raws.find((r) => header(r, 'Subject') === LARGE_MESSAGE_SUBJECT)!;
    expect(large.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(standardCorpus({ flavor: 'standard' }).map((f) => f.path)).toEqual(expect.arrayContaining(['Sent', 'Trash', 'Junk', 'Drafts', 'Archive']));
  });

  test('bulkCorpus spreads the count over the folders', () => {
    const bulk = bulkCorpus(1001, { folders: 10 });
    expect(bulk).toHaveLength(10);
    expect(bulk.reduce((n, f) => n + f.messages.length, 0)).toBe(1001);
  });
});

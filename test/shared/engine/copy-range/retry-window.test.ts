import { describe, expect, it } from 'vitest';
import { decodeHeaderWords } from '../../../../shared/adapters/lazy-modules.js';
import type { MessageMeta, MessageWithSource } from '../../../../shared/contracts/imap.js';
import type { UidMap } from '../../../../shared/domain/checkpoints/checkpoint-store.js';
import { FingerprintCache } from '../../../../shared/engine/fingerprint-cache.js';
import { fingerprint } from '../../../../shared/engine/fingerprint.js';
import { attributedUids, destinationFingerprints, fingerprintFolderKey, openRetryWindow, WindowCopies, windowStart, type RetryWindowSources, type WindowReader } from '../../../../shared/engine/copy-range/retry-window.js';

const mail = (subject: string, body = 'hello'): Buffer => Buffer.from(`Message-ID: <${subject}@x>\r\nSubject: ${subject}\r\nFrom: a@x\r\nTo: b@x\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\n\r\n${body}\r\n`);

/** A destination folder of UID -> bytes, counting what is asked of it. */
function folder(messages: Record<number, Buffer>): WindowReader & { asked: string[] } {
  const asked: string[] = [];
  const meta = (uid: number): MessageMeta => ({ uid, size: messages[uid]!.length, flags: [], internalDate: '2026-06-01T10:00:00.000Z' });
  const uids = Object.keys(messages).map(Number).sort((a, b) => a - b);
  const inSet = (set: string): number[] => set.split(',').map(Number);
  return {
    asked,
    fetchMeta: async (range: string) => {
      asked.push(`meta ${range}`);
      const from = Number(range.split(':')[0]);
      // "N:*" always answers the last message, even below N (RFC 3501 §6.4.8).
      const out = uids.filter((u) => u >= from);
      return (out.length > 0 ? out : uids.slice(-1)).map(meta);
    },
    fetchHeaders: async (set: string) => {
      asked.push(`headers ${set}`);
      return inSet(set).map((u) => ({ ...meta(u), headers: messages[u]! }));
    },
    fetchSources: async function* (set: string): AsyncGenerator<MessageWithSource> {
      asked.push(`bodies ${set}`);
      for (const u of inSet(set)) yield { ...meta(u), source: messages[u]! };
    },
  };
}

function sources(dst: WindowReader, map?: UidMap, cache = new FingerprintCache(100)): RetryWindowSources & { opened: number; mapReads: number } {
  const s = {
    identity: 'content-hash' as const,
    cache,
    decodeWords: decodeHeaderWords,
    folderKey: 'dst INBOX',
    opened: 0,
    mapReads: 0,
    readUidMap: async () => {
      s.mapReads += 1;
      return map;
    },
    destination: async () => {
      s.opened += 1;
      return dst;
    },
  };
  return s;
}

describe('windowStart', () => {
  it('has no window when no attempt was in flight and no UIDVALIDITY change is being deduped', () => {
    expect(windowStart({}, '7')).toBeUndefined();
  });

  it('starts at the UIDNEXT recorded before the first APPEND while the destination UIDVALIDITY stands', () => {
    expect(windowStart({ inFlight: { fromUid: 1, toUid: 9, destUidValidity: '7', destUidNext: 40 } }, '7')).toBe(40);
  });

  it('starts at UID 1 when the destination folder got a new UIDVALIDITY since', () => {
    expect(windowStart({ inFlight: { fromUid: 1, toUid: 9, destUidValidity: '6', destUidNext: 40 } }, '7')).toBe(1);
  });

  it('starts where the dedupe after a source UIDVALIDITY change starts, or at the recorded UIDNEXT if lower', () => {
    expect(windowStart({ dedupeFromDestUid: 12 }, '7')).toBe(12);
    expect(windowStart({ dedupeFromDestUid: 12, inFlight: { fromUid: 1, toUid: 9, destUidValidity: '7', destUidNext: 40 } }, '7')).toBe(12);
    expect(windowStart({ dedupeFromDestUid: 50, inFlight: { fromUid: 1, toUid: 9, destUidValidity: '7', destUidNext: 40 } }, '7')).toBe(40);
  });
});

describe('attributedUids', () => {
  it('takes the destination UIDs of source messages counted done, and only under the same destination UIDVALIDITY', () => {
    const map: UidMap = { destUidValidity: '7', pairs: new Map([[1, 101], [2, 102], [3, 103]]) };
    expect([...attributedUids(map, '7', 2)]).toEqual([101, 102]);
    expect(attributedUids(map, '8', 2).size).toBe(0);
    expect(attributedUids(undefined, '7', 2).size).toBe(0);
  });
});

describe('WindowCopies', () => {
  it('lets one copy stand for one source message only: of twins, the second is still to append', () => {
    const twin = mail('twin');
    const copies = new WindowCopies(new Map([[fingerprint(twin, 'content-hash', decodeHeaderWords), [5]]]), 'content-hash', decodeHeaderWords);
    expect(copies.claim(twin)).toBe(5);
    expect(copies.claim(Buffer.from(twin))).toBeUndefined();
  });

  it('gives two copies of twins to the twins in destination UID order', () => {
    const twin = mail('twin');
    const copies = new WindowCopies(new Map([[fingerprint(twin, 'content-hash', decodeHeaderWords), [5, 9]]]), 'content-hash', decodeHeaderWords);
    expect([copies.claim(twin), copies.claim(twin), copies.claim(twin)]).toEqual([5, 9, undefined]);
  });

  it('finds nothing for a message with no copy', () => {
    const copies = new WindowCopies(new Map([[fingerprint(mail('a'), 'content-hash', decodeHeaderWords), [5]]]), 'content-hash', decodeHeaderWords);
    expect(copies.claim(mail('b'))).toBeUndefined();
  });
});

describe('destinationFingerprints', () => {
  it('ignores the last message a "N:*" FETCH answers below N, and the excluded UIDs', async () => {
    const dst = folder({ 3: mail('a'), 4: mail('b'), 6: mail('c') });
    const none = await destinationFingerprints(dst, new FingerprintCache(10), 'k', 10, 'content-hash', decodeHeaderWords, new Set());
    expect(none.size).toBe(0);
    const some = await destinationFingerprints(dst, new FingerprintCache(10), 'k', 4, 'content-hash', decodeHeaderWords, new Set([6]));
    expect([...some.values()]).toEqual([[4]]);
  });

  it('reads each destination body once per cache: a window read again fetches only what is new', async () => {
    const cache = new FingerprintCache(10);
    const messages: Record<number, Buffer> = { 1: mail('a'), 2: mail('b') };
    const dst = folder(messages);
    await destinationFingerprints(dst, cache, 'k', 1, 'content-hash', decodeHeaderWords, new Set());
    messages[3] = mail('c');
    const later = folder(messages);
    const again = await destinationFingerprints(later, cache, 'k', 1, 'content-hash', decodeHeaderWords, new Set());
    expect(dst.asked).toEqual(['meta 1:*', 'bodies 1,2']);
    expect(later.asked).toEqual(['meta 1:*', 'bodies 3']);
    expect(again.get(fingerprint(mail('c'), 'content-hash', decodeHeaderWords))).toEqual([3]);
    expect(again.size).toBe(3);
  });

  it('reads only headers for a header-hash identity', async () => {
    const dst = folder({ 1: mail('a'), 2: mail('a', 'regenerated body') });
    const out = await destinationFingerprints(dst, new FingerprintCache(10), 'k', 1, 'header-hash', decodeHeaderWords, new Set());
    expect(dst.asked).toEqual(['meta 1:*', 'headers 1,2']);
    expect([...out.values()]).toEqual([[1, 2]]);
  });
});

describe('openRetryWindow', () => {
  const inFlight = { fromUid: 4, toUid: 9, destUidValidity: '7', destUidNext: 10 };

  it('neither opens the destination nor reads the UID map when there is no window', async () => {
    const s = sources(folder({ 1: mail('a') }));
    const w = await openRetryWindow({ lastUid: 3 }, '7', s);
    expect(w.start).toBeUndefined();
    expect([s.opened, s.mapReads]).toEqual([0, 0]);
    expect(w.copies.claim(mail('a'))).toBeUndefined();
  });

  it('does not let an identical copy the checkpoint already counts as done stand in for a twin still to copy', async () => {
    const twin = mail('twin');
    // Destination 10 is the copy of source 3 (done); an earlier attempt stored nothing more.
    const s = sources(folder({ 10: twin }), { destUidValidity: '7', pairs: new Map([[3, 10]]) });
    const w = await openRetryWindow({ lastUid: 3, inFlight }, '7', s);
    expect(w.start).toBe(10);
    expect(w.copies.claim(twin)).toBeUndefined();
  });

  it('recognises a copy whose pair was mapped but not yet counted done (a crash between the map and the checkpoint)', async () => {
    const m = mail('m');
    const s = sources(folder({ 10: m }), { destUidValidity: '7', pairs: new Map([[4, 10]]) });
    const w = await openRetryWindow({ lastUid: 3, inFlight }, '7', s);
    expect(w.copies.claim(m)).toBe(10);
  });

  it('after an attempt that settled part of the range, does not let the settled messages\' copies stand in for a twin it copies now', async () => {
    const twin = mail('twin');
    // The range 4..9 began at destination 10; its attempt settled 4 and 5 (twins, copied to 10 and
    // 11; lastUid 5) and stored 6 (also a twin, at 12) before its OK was lost. This attempt copies
    // from 6: only 12 is a copy of what it copies; 7, a fourth twin, must still be appended.
    const s = sources(folder({ 10: twin, 11: twin, 12: twin }), { destUidValidity: '7', pairs: new Map([[4, 10], [5, 11]]) });
    const w = await openRetryWindow({ lastUid: 5, inFlight }, '7', s, 6);
    expect(w.copies.claim(twin)).toBe(12);
    expect(w.copies.claim(twin)).toBeUndefined();
  });

  it('puts every destination copy in play after a source UIDVALIDITY change (the pass voided the old map when it began)', async () => {
    const m = mail('m');
    // What the map holds after the void: another epoch's line, no pairs under this UIDVALIDITY.
    const s = sources(folder({ 1: m }), { destUidValidity: 'void-2', pairs: new Map([[0, 0]]) });
    const w = await openRetryWindow({ lastUid: 0, dedupeFromDestUid: 1 }, '7', s);
    expect(w.start).toBe(1);
    expect(w.copies.claim(m)).toBe(1);
  });

  it('after a source UIDVALIDITY change, an interrupted range\'s settled copies do not stand in for a twin it still has to append', async () => {
    const twin = mail('twin');
    // The destination held two twins before (1, 2); the new epoch's 1 and 2 matched them and were
    // settled (lastUid 2), then the range was interrupted. It goes on from 3, a third twin: nothing
    // left to match it, it is appended.
    const s = sources(folder({ 1: twin, 2: twin }), { destUidValidity: '7', pairs: new Map([[1, 1], [2, 2]]) });
    const w = await openRetryWindow({ lastUid: 2, dedupeFromDestUid: 1, inFlight: { fromUid: 1, toUid: 9, destUidValidity: '7', destUidNext: 3 } }, '7', s, 3);
    expect(w.copies.claim(twin)).toBeUndefined();
  });
});

describe('fingerprintFolderKey', () => {
  it('tells apart servers, mailboxes in any case, UIDVALIDITYs, identities and folders', () => {
    const key = fingerprintFolderKey({ host: 'h', port: 993 }, 'A@X', '7', 'content-hash', 'INBOX');
    expect(key).toBe(fingerprintFolderKey({ host: 'h', port: 993 }, 'a@x', '7', 'content-hash', 'INBOX'));
    expect(new Set([key, fingerprintFolderKey({ host: 'h', port: 143 }, 'a@x', '7', 'content-hash', 'INBOX'), fingerprintFolderKey({ host: 'h', port: 993 }, 'a@x', '8', 'content-hash', 'INBOX'), fingerprintFolderKey({ host: 'h', port: 993 }, 'a@x', '7', 'header-hash', 'INBOX'), fingerprintFolderKey({ host: 'h', port: 993 }, 'a@x', '7', 'content-hash', 'Sent')]).size).toBe(5);
  });
});

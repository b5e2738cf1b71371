import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { ImapResponse } from '../../../../../shared/adapters/imap/protocol/imap-response.js';
import { ResponseFramer } from '../../../../../shared/adapters/imap/protocol/response-framer.js';

/**
 * Server output for the protocol tests, built from items whose framed responses are known:
 * FETCH rows with a literal (empty, small, or large and spanning many chunks), untagged lines,
 * tagged answers and BYE, each ended by CRLF or a bare LF.
 */
export type Item =
  | { kind: 'fetch'; seq: number; literal: Buffer; eol: string }
  | { kind: 'line'; text: string; eol: string }
  | { kind: 'tagged'; tag: string; status: 'OK' | 'NO' | 'BAD'; text: string; eol: string }
  | { kind: 'bye'; text: string; eol: string };

export function itemBytes(item: Item): Buffer {
  switch (item.kind) {
    case 'fetch':
      return Buffer.concat([Buffer.from(`* ${item.seq} FETCH (UID ${item.seq} BODY[] {${item.literal.length}}${item.eol}`, 'latin1'), item.literal, Buffer.from(`)${item.eol}`)]);
    case 'line':
      return Buffer.from(`${item.text}${item.eol}`, 'latin1');
    case 'tagged':
      return Buffer.from(`${item.tag} ${item.status} ${item.text}${item.eol}`, 'latin1');
    case 'bye':
      return Buffer.from(`* BYE ${item.text}${item.eol}`, 'latin1');
  }
}

/** The response the framer must make of an item. */
export function itemResponse(item: Item): ImapResponse {
  switch (item.kind) {
    case 'fetch':
      return { parts: [`* ${item.seq} FETCH (UID ${item.seq} BODY[] `, ')'], literals: [item.literal] };
    case 'line':
      return { parts: [item.text], literals: [] };
    case 'tagged':
      return { parts: [`${item.tag} ${item.status} ${item.text}`], literals: [] };
    case 'bye':
      return { parts: [`* BYE ${item.text}`], literals: [] };
  }
}

const eol = fc.constantFrom('\r\n', '\n');

/** A literal's bytes: any bytes at all (CR, LF, `{3}`, NUL…), now and then large. */
export const literalBytes = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) },
  { weight: 2, arbitrary: fc.constantFrom('', '\r\n', '\n', '{5}\r\n', ')\r\nA1 OK done\r\n', '\r').map((s) => Buffer.from(s, 'latin1')) },
  { weight: 1, arbitrary: fc.record({ size: fc.integer({ min: 60_000, max: 300_000 }), seed: fc.integer({ min: 0, max: 255 }) }).map(({ size, seed }) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff))) },
);

export const untaggedItem: fc.Arbitrary<Item> = fc.oneof(
  fc.record({ kind: fc.constant('fetch' as const), seq: fc.integer({ min: 1, max: 9999 }), literal: literalBytes, eol }),
  fc.record({
    kind: fc.constant('line' as const),
    text: fc.constantFrom('* 3 EXISTS', '* 0 RECENT', '* STATUS "INBOX" (MESSAGES 2 UIDNEXT 9 UIDVALIDITY 1)', '* OK [UIDNEXT 5] Predicted next UID', '* FLAGS (\\Seen \\Deleted)', '* 7 FETCH (FLAGS (\\Seen) UID 7)', '*  ', '+ go ahead'),
    eol,
  }),
);

/** Cuts `bytes` at the given offsets (any order, repeats and out-of-range ones ignored). */
export function cut(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const at = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const o of [...at, bytes.length]) {
    if (o > from) chunks.push(bytes.subarray(from, o));
    from = Math.max(from, o);
  }
  return chunks;
}

/**
 * Cut points that favour the hazards: between CR and LF, right after `{n}`'s line, inside and at
 * the edges of literals; plus random ones and, now and then, every byte on its own.
 */
export function splits(bytes: Buffer): fc.Arbitrary<Buffer[]> {
  const hazards: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10 || bytes[i] === 13 || bytes[i] === 0x7d) hazards.push(i, i + 1);
  const offset = hazards.length > 0 ? fc.oneof(fc.nat({ max: bytes.length }), fc.constantFrom(...hazards)) : fc.nat({ max: bytes.length });
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(offset, { maxLength: 40 }).map((o) => cut(bytes, o)) },
    { weight: 1, arbitrary: fc.constant<Buffer[]>(bytes.length <= 20_000 ? cut(bytes, Array.from({ length: bytes.length }, (_, i) => i)) : [bytes]) },
  );
}

/** The responses the framer makes of `chunks`, or the failure it threw (with those before it). */
export function frame(chunks: readonly Buffer[], maxLineBytes?: number): { responses: ImapResponse[]; failure?: string } {
  const framer = new ResponseFramer(maxLineBytes);
  const responses: ImapResponse[] = [];
  try {
    for (const c of chunks) framer.push(c, (r) => responses.push(r));
  } catch (e) {
    return { responses, failure: e instanceof Error ? e.message : String(e) };
  }
  return { responses };
}

/** Responses in a form cheap to compare and to print on failure: literals as length and digest. */
export function summary(r: { responses: readonly ImapResponse[]; failure?: string }): { responses: { parts: string[]; literals: string[] }[]; failure?: string } {
  return {
    responses: r.responses.map((x) => ({ parts: x.parts, literals: x.literals.map((l) => `${l.length}:${createHash('sha1').update(l).digest('hex').slice(0, 12)}`) })),
    ...(r.failure !== undefined ? { failure: r.failure } : {}),
  };
}

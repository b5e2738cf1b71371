import { createHash } from 'node:crypto';
import { addressKey } from '../contracts/mailbox-pair.js';

/**
 * Message identity for dedupe and verification, never by Message-ID alone (messages without
 * one, and different messages sharing one, are common). Where the destination keeps bytes as
 * appended, the identity is the hash of the exact bytes; Exchange regenerates MIME, so there it
 * is a hash of normalised identifying headers.
 */
export type IdentityKind = 'content-hash' | 'header-hash';

export function contentHash(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** The headers a header-hash identity is made of (all a destination needs to send for it). */
export const IDENTITY_HEADERS = ['message-id', 'date', 'from', 'to', 'subject'] as const;

/** The header block, unfolded, as name → values (lower-case names). */
export function parseHeaders(raw: Buffer): Map<string, string[]> {
  let end = raw.indexOf('\r\n\r\n');
  if (end < 0) end = raw.indexOf('\n\n');
  // Raw 8-bit headers are read as UTF-8 (what Exchange assumes when it re-encodes them).
  const text = raw.subarray(0, end < 0 ? Math.min(raw.length, 64 * 1024) : end).toString('utf8');
  const out = new Map<string, string[]>();
  for (const line of text.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const list = out.get(name) ?? [];
    list.push(line.slice(i + 1).trim());
    out.set(name, list);
  }
  return out;
}

/**
 * Decodes RFC 2047 encoded-words. A charset library does it, so the engine is handed one
 * (EngineDeps.decodeHeaderWords; the adapter loads the library on first use).
 */
export type HeaderWordDecoder = (value: string) => string;

/** RFC 2047 encoded-words decoded: Exchange re-encodes headers (charset, B vs Q) when it regenerates MIME. */
function decoded(value: string, decodeWords: HeaderWordDecoder): string {
  try {
    return decodeWords(value);
  } catch {
    return value;
  }
}

function normalise(name: string, value: string, decodeWords: HeaderWordDecoder): string {
  const v = decoded(value, decodeWords).replace(/\s+/g, ' ').trim();
  if (name === 'message-id') return v.replace(/^<|>$/g, '').toLowerCase();
  if (name === 'date') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? v : String(t);
  }
  if (name === 'from' || name === 'to') {
    // Servers re-encode display names; addresses survive.
    const addrs = v.match(/[^\s<>,;"]+@[^\s<>,;"]+/g) ?? [v];
    return addrs.map(addressKey).sort().join(',');
  }
  return v;
}

export function headerHash(raw: Buffer, decodeWords: HeaderWordDecoder): string {
  const h = parseHeaders(raw);
  const parts = IDENTITY_HEADERS.map((n) => `${n}:${normalise(n, (h.get(n) ?? []).join(' '), decodeWords)}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

export function fingerprint(raw: Buffer, kind: IdentityKind, decodeWords: HeaderWordDecoder): string {
  return kind === 'content-hash' ? contentHash(raw) : headerHash(raw, decodeWords);
}

export function messageId(raw: Buffer): string | undefined {
  return parseHeaders(raw).get('message-id')?.[0]?.replace(/^<|>$/g, '').trim() || undefined;
}

export function subjectOf(raw: Buffer): string | undefined {
  const s = parseHeaders(raw).get('subject')?.[0];
  return s === undefined ? undefined : s.slice(0, 200);
}

import { parseImapDateTime } from './imap-date-time.js';
import { ResponseReader, type ResponseParts } from './response-values.js';

export type { ResponseParts };

/**
 * One untagged FETCH response, parsed: `* 12 FETCH (UID 12 FLAGS (\Seen) INTERNALDATE "…"
 * RFC822.SIZE 6234 BODY[] {6234}…)`. Items may come in any order and a server may send FETCH
 * responses nobody asked for (flag changes): callers keep what they asked for.
 */

export interface FetchedRow {
  seq: number;
  uid?: number;
  flags?: string[];
  /** ISO 8601, UTC. */
  internalDate?: string;
  size?: number;
  /** BODY[] (or BODY[<section>]) when it was asked for: bytes, or a string the server quoted. */
  body?: Buffer;
  /** The section of `body` (between the brackets), upper case. */
  section?: string;
}

export function parseFetch(r: ResponseParts): FetchedRow | undefined {
  const head = /^\* (\d+) FETCH \(/i.exec(r.parts[0] ?? '');
  if (!head) return undefined;
  const row: FetchedRow = { seq: Number(head[1]) };
  const reader = new ResponseReader(r, head[0].length);
  for (;;) {
    const key = reader.next();
    if (key === undefined || key === ')') break;
    const value = reader.next();
    if (typeof key !== 'string' || value === undefined || value === ')') break;
    const name = key.toUpperCase();
    if (name === 'UID' && typeof value === 'string') row.uid = Number(value);
    else if (name === 'RFC822.SIZE' && typeof value === 'string') row.size = Number(value);
    else if (name === 'INTERNALDATE' && typeof value === 'string') {
      const iso = parseImapDateTime(value);
      if (iso) row.internalDate = iso;
    } else if (name === 'FLAGS' && Array.isArray(value)) row.flags = value.filter((f): f is string => typeof f === 'string');
    else if (name.startsWith('BODY[')) {
      row.section = name.slice(5, name.indexOf(']')).toUpperCase();
      row.body = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : '', 'latin1');
    }
  }
  return row;
}

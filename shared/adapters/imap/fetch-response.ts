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

const MONTHS: Record<string, number> = { JAN: 0, FEB: 1, MAR: 2, APR: 3, MAY: 4, JUN: 5, JUL: 6, AUG: 7, SEP: 8, OCT: 9, NOV: 10, DEC: 11 };

/** RFC 3501 date-time ("01-Jan-2022 00:01:30 +0000", day possibly space-padded) as ISO 8601. */
export function parseImapDateTime(text: string): string | undefined {
  const m = /^\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  const month = m ? MONTHS[m[2]!.toUpperCase()] : undefined;
  if (!m || month === undefined) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return new Date(Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - offset).toISOString();
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

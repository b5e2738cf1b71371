/**
 * One untagged FETCH response, parsed: `* 12 FETCH (UID 12 FLAGS (\Seen) INTERNALDATE "…"
 * RFC822.SIZE 6234 BODY[] {6234}…)`. Items may come in any order and a server may send FETCH
 * responses nobody asked for (flag changes): callers keep what they asked for.
 */

/** A response as the raw reader delivers it: the text between its literals (parts.length = literals.length + 1). */
export interface ResponseParts {
  parts: readonly string[];
  literals: readonly Buffer[];
}

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

type Value = string | Buffer | Value[] | null;

const MONTHS: Record<string, number> = { JAN: 0, FEB: 1, MAR: 2, APR: 3, MAY: 4, JUN: 5, JUL: 6, AUG: 7, SEP: 8, OCT: 9, NOV: 10, DEC: 11 };

/** RFC 3501 date-time ("01-Jan-2022 00:01:30 +0000", day possibly space-padded) as ISO 8601. */
export function parseImapDateTime(text: string): string | undefined {
  const m = /^\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  const month = m ? MONTHS[m[2]!.toUpperCase()] : undefined;
  if (!m || month === undefined) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return new Date(Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - offset).toISOString();
}

class Reader {
  private part = 0;
  private at = 0;

  constructor(private readonly r: ResponseParts, start: number) {
    this.at = start;
  }

  private get text(): string {
    return this.r.parts[this.part]!;
  }

  private skipSpaces(): void {
    while (this.at < this.text.length && this.text[this.at] === ' ') this.at++;
  }

  /** The next value; undefined at the end of the response. `)` ends a list (returned as ')'). */
  next(): Value | ')' | undefined {
    this.skipSpaces();
    if (this.at >= this.text.length) {
      if (this.part >= this.r.literals.length) return undefined;
      const lit = this.r.literals[this.part]!;
      this.part++;
      this.at = 0;
      return lit;
    }
    const c = this.text[this.at]!;
    if (c === '(') {
      this.at++;
      const list: Value[] = [];
      for (;;) {
        const v = this.next();
        if (v === undefined || v === ')') return list;
        list.push(v);
      }
    }
    if (c === ')') {
      this.at++;
      return ')';
    }
    if (c === '"') {
      let out = '';
      for (this.at++; this.at < this.text.length; this.at++) {
        const ch = this.text[this.at]!;
        if (ch === '\\') out += this.text[++this.at] ?? '';
        else if (ch === '"') {
          this.at++;
          return out;
        } else out += ch;
      }
      return out;
    }
    // An atom; brackets (BODY[HEADER.FIELDS (A B)]<0>) belong to it, spaces inside them too.
    let depth = 0;
    const from = this.at;
    while (this.at < this.text.length) {
      const ch = this.text[this.at]!;
      if (ch === '[') depth++;
      else if (ch === ']') depth--;
      else if (depth === 0 && (ch === ' ' || ch === '(' || ch === ')')) break;
      this.at++;
    }
    const atom = this.text.slice(from, this.at);
    return atom.toUpperCase() === 'NIL' ? null : atom;
  }
}

export function parseFetch(r: ResponseParts): FetchedRow | undefined {
  const head = /^\* (\d+) FETCH \(/i.exec(r.parts[0] ?? '');
  if (!head) return undefined;
  const row: FetchedRow = { seq: Number(head[1]) };
  const reader = new Reader(r, head[0].length);
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

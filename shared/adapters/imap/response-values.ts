/**
 * The values of an IMAP response as the raw reader delivers it (text parts around literals):
 * atoms, quoted strings, literals and parenthesised lists, NIL as null (RFC 3501 §4).
 */

/** A response as the raw reader delivers it: the text between its literals (parts.length = literals.length + 1). */
export interface ResponseParts {
  parts: readonly string[];
  literals: readonly Buffer[];
}

/** An atom or quoted string, a literal's bytes, a list, or NIL. */
export type Value = string | Buffer | Value[] | null;

/** Reads a response's values one by one: atoms (brackets and all), quoted strings, literals, parenthesised lists. */
export class ResponseReader {
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

/** Every value from `start` to the end of the response. */
export function readValues(r: ResponseParts, start: number): Value[] {
  const reader = new ResponseReader(r, start);
  const out: Value[] = [];
  for (;;) {
    const v = reader.next();
    if (v === undefined) return out;
    if (v !== ')') out.push(v);
  }
}

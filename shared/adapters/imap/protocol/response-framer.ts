import { ImapFailure } from '../../../errors/imap-failure.js';
import type { ImapResponse } from './imap-response.js';

/** A response line (without its literals) longer than this is not IMAP: the connection is dropped. */
export const MAX_LINE_BYTES = 1024 * 1024;

const LF = 10;
const CR = 13;

/**
 * Cuts the bytes a server sends into responses, whatever the chunk boundaries (RFC 3501 §2.2,
 * §4.3): a line ends at LF (CRLF or a bare LF), a line ending in `{n}` is followed by n bytes
 * read as bytes (never searched for line ends, `{0}` included) and the response goes on after
 * them. Feeding the same bytes whole or in any split gives the same responses.
 */
export class ResponseFramer {
  /** Bytes of a line whose end has not arrived yet. */
  private partial?: Buffer;
  private literal?: { buf: Buffer; at: number };
  private parts: string[] = [];
  private literals: Buffer[] = [];

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {}

  /**
   * Reads one chunk; each response completed by it goes to `onResponse` in order. Throws a
   * `closed` ImapFailure for a line over the bound (responses before it have been delivered);
   * the framer is not to be fed after that.
   */
  push(chunk: Buffer, onResponse: (r: ImapResponse) => void): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.literal) {
        i = this.fillLiteral(this.literal, chunk, i);
        continue;
      }
      const nl = chunk.indexOf(LF, i);
      if (nl < 0) {
        this.partial = this.partial ? Buffer.concat([this.partial, chunk.subarray(i)]) : Buffer.from(chunk.subarray(i));
        // One byte of room: the line's CR may be here while its LF is still on the way.
        if (this.partial.length > this.maxLineBytes + 1) throw this.tooLong();
        return;
      }
      let raw = chunk.subarray(i, nl + 1);
      if (this.partial) {
        raw = Buffer.concat([this.partial, raw]);
        this.partial = undefined;
      }
      i = nl + 1;
      const end = raw.length - (raw.length > 1 && raw[raw.length - 2] === CR ? 2 : 1);
      if (end > this.maxLineBytes) throw this.tooLong();
      const response = this.onLine(raw.toString('latin1', 0, end));
      if (response) onResponse(response);
    }
  }

  private fillLiteral(lit: { buf: Buffer; at: number }, chunk: Buffer, i: number): number {
    const take = Math.min(lit.buf.length - lit.at, chunk.length - i);
    chunk.copy(lit.buf, lit.at, i, i + take);
    lit.at += take;
    if (lit.at === lit.buf.length) {
      this.literals.push(lit.buf);
      this.literal = undefined;
    }
    return i + take;
  }

  /** A line read: either it announces a literal (the response goes on) or it ends the response. */
  private onLine(line: string): ImapResponse | undefined {
    const lit = /\{(\d+)\}$/.exec(line);
    if (lit) {
      this.parts.push(line.slice(0, lit.index));
      const size = Number(lit[1]);
      if (size === 0) this.literals.push(Buffer.alloc(0));
      else this.literal = { buf: Buffer.allocUnsafe(size), at: 0 };
      return undefined;
    }
    this.parts.push(line);
    const response = { parts: this.parts, literals: this.literals };
    this.parts = [];
    this.literals = [];
    return response;
  }

  private tooLong(): ImapFailure {
    return new ImapFailure('closed', '', `response line over ${this.maxLineBytes} bytes`);
  }
}

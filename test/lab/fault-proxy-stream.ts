/**
 * Splits one direction of an IMAP byte stream into lines and literals (RFC 3501 §4.3,
 * RFC 7888), so the fault proxy can find command tags and names, server continuations and
 * tagged replies without ever reading a message body as protocol. Literal bytes are passed
 * through in the chunks they arrived in: a 100 MB APPEND is never held whole.
 */

export interface LiteralMarker {
  size: number;
  /** `{n+}` (LITERAL+) or `{n-}` (LITERAL-): the client sends the bytes without waiting for `+`. */
  nonSync: boolean;
}

export interface LineSegment {
  kind: 'line';
  /** The bytes as received, CRLF included. */
  data: Buffer;
  /** Latin-1 text without the CRLF (protocol text is ASCII; literals are never lines). */
  text: string;
  /** True for the first line of a command/response, false for a line that follows a literal. */
  first: boolean;
  /** A literal announced at the end of this line. */
  literal?: LiteralMarker;
}

export interface LiteralSegment {
  kind: 'literal';
  data: Buffer;
  /** Literal bytes seen before this chunk. */
  offset: number;
  size: number;
}

export type Segment = LineSegment | LiteralSegment;

/** `{123}`, `{123+}`, `{123-}` or `~{123}` (BINARY) at the end of a line. */
const LITERAL_AT_END = /~?\{(\d+)([+-]?)\}$/;

/** Lines longer than this without a CRLF are passed on as they are (garbage or an attack, not IMAP). */
const MAX_LINE_BYTES = 1024 * 1024;

export class ImapStreamSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private literalLeft = 0;
  private literalSize = 0;
  /** The next line continues a command/response whose previous line announced a literal. */
  private continuing = false;

  push(chunk: Buffer): Segment[] {
    const out: Segment[] = [];
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buf.length > 0) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, buf.length);
        out.push({ kind: 'literal', data: buf.subarray(0, take), offset: this.literalSize - this.literalLeft, size: this.literalSize });
        this.literalLeft -= take;
        buf = buf.subarray(take);
        continue;
      }
      const eol = buf.indexOf('\r\n');
      if (eol < 0) {
        if (buf.length > MAX_LINE_BYTES) {
          out.push({ kind: 'line', data: buf, text: buf.toString('latin1'), first: !this.continuing });
          buf = Buffer.alloc(0);
        }
        break;
      }
      const data = buf.subarray(0, eol + 2);
      const text = data.subarray(0, eol).toString('latin1');
      const m = LITERAL_AT_END.exec(text);
      const segment: LineSegment = { kind: 'line', data, text, first: !this.continuing };
      if (m) {
        segment.literal = { size: Number(m[1]), nonSync: m[2] !== '' };
        this.literalSize = segment.literal.size;
        this.literalLeft = segment.literal.size;
      }
      this.continuing = m !== null;
      out.push(segment);
      buf = buf.subarray(eol + 2);
    }
    this.pending = Buffer.from(buf);
    return out;
  }
}

/** An IMAP atom or quoted string at the start of `s`, and the rest. */
function firstWord(s: string): [string, string] {
  const t = s.trimStart();
  if (t.startsWith('"')) {
    let i = 1;
    let v = '';
    for (; i < t.length && t[i] !== '"'; i++) v += t[i] === '\\' ? t[++i] ?? '' : t[i];
    return [v, t.slice(i + 1)];
  }
  const sp = t.indexOf(' ');
  return sp < 0 ? [t, ''] : [t.slice(0, sp), t.slice(sp + 1)];
}

export interface CommandLine {
  tag: string;
  /** Upper case; `UID FETCH`, `UID STORE` … keep both words. */
  name: string;
  /** The rest of the first line (literal markers included). */
  args: string;
}

/** Tag and command name of a client command's first line. */
export function parseCommandLine(text: string): CommandLine | undefined {
  const [tag, rest] = firstWord(text);
  if (tag === '' || rest === '') return undefined;
  let [name, args] = firstWord(rest);
  name = name.toUpperCase();
  if (name === 'UID') {
    const [sub, more] = firstWord(args);
    name = `UID ${sub.toUpperCase()}`;
    args = more;
  }
  return { tag, name, args };
}

export type ServerLine = { type: 'untagged'; text: string } | { type: 'continuation'; text: string } | { type: 'tagged'; tag: string; status: string; text: string };

/** What kind of server response a first line starts. */
export function parseServerLine(text: string): ServerLine {
  if (text.startsWith('* ')) return { type: 'untagged', text: text.slice(2) };
  if (text === '+' || text.startsWith('+ ')) return { type: 'continuation', text: text.slice(2) };
  const [tag, rest] = firstWord(text);
  const [status] = firstWord(rest);
  return { type: 'tagged', tag, status: status.toUpperCase(), text: rest };
}

/** The mailbox a login names: LOGIN user, AUTHENTICATE PLAIN/XOAUTH2 initial responses. */
export function loginUser(cmd: CommandLine): string | undefined {
  if (cmd.name === 'LOGIN') return firstWord(cmd.args)[0] || undefined;
  if (cmd.name !== 'AUTHENTICATE') return undefined;
  const [mech, rest] = firstWord(cmd.args);
  const ir = firstWord(rest)[0];
  return ir === '' ? undefined : saslUser(mech.toUpperCase(), ir);
}

/** The user of a base64 SASL response (PLAIN: authzid\0authcid\0pass; XOAUTH2: user=…\x01auth=…). */
export function saslUser(mech: string, base64: string): string | undefined {
  const raw = Buffer.from(base64, 'base64').toString('utf8');
  if (mech === 'PLAIN') return raw.split('\0')[1] || undefined;
  if (mech === 'XOAUTH2') return /^user=([^\x01]*)/.exec(raw)?.[1] || undefined;
  return undefined;
}

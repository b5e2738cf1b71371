import { createHash } from 'node:crypto';
import { EXCHANGE_SPECIAL_USE, STANDARD_SPECIAL_USE } from './dovecot.js';
import type { SeedFolder, SeedMessage } from './seed.js';

/**
 * Deterministic test mail: the same input always gives the same bytes, so snapshots and hashes
 * are stable across runs. Messages are RFC 5322 with CRLF line ends and no line over 998
 * characters (76 in generated bodies).
 */

export interface MakeMessageOptions {
  subject: string;
  from: string;
  to: string;
  date: Date;
  /** Default: derived from the seed. null = no Message-ID header at all. */
  messageId?: string | null;
  /** Size of the generated body in bytes (default 256); ignored when `body` is given. */
  bodyBytes?: number;
  /** Exact body text (UTF-8; sent 8bit when not ASCII). Lines are re-ended with CRLF. */
  body?: string;
  /** Seeds the generated body and the default Message-ID. */
  seed: number | string;
}

const WORDS = 'mailbox migration folder message header flag archive quarter budget project meeting report draft review contract invoice schedule update team notes lunch travel plan status'.split(' ');

/** mulberry32: a tiny, fast PRNG; hashing the seed gives it a well-mixed start. */
export function prng(seed: number | string): () => number {
  let s = createHash('sha256').update(String(seed)).digest().readUInt32LE(0);
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ASCII text of exactly `bytes` bytes (at least 2) in CRLF-terminated lines of at most 76 characters. */
function generatedBody(bytes: number, seed: number | string): string {
  const rnd = prng(seed);
  const text = (len: number): string => {
    let line = '';
    while (line.length < len) line += `${line ? ' ' : ''}${WORDS[Math.floor(rnd() * WORDS.length)]!}`;
    return line.slice(0, len);
  };
  const lines: string[] = [];
  for (let left = Math.max(2, bytes); left > 0; ) {
    // The last line takes exactly what is left; never leave a single byte (half a CRLF).
    const len = left <= 78 ? left - 2 : left - 78 === 1 ? 75 : 76;
    lines.push(`${text(len)}\r\n`);
    left -= len + 2;
  }
  return lines.join('');
}

const isAscii = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);

/** RFC 2047 encoded words (UTF-8, base64), split at character boundaries, folded with CRLF SP. */
function encodeHeaderText(text: string): string {
  if (isAscii(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** RFC 5322 date-time in UTC: "Tue, 02 Jan 2024 10:00:00 +0000". */
export function rfc5322Date(d: Date): string {
  return `${DAYS[d.getUTCDay()]!}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]!} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

export function makeMessage(o: MakeMessageOptions): Buffer {
  const body = o.body !== undefined ? `${o.body.replace(/\r?\n/g, '\r\n').replace(/(\r\n)?$/, '\r\n')}` : generatedBody(o.bodyBytes ?? 256, o.seed);
  const eightBit = !/^[\x00-\x7f]*$/.test(body);
  const id = o.messageId === undefined ? `<${createHash('sha256').update(`id:${String(o.seed)}`).digest('hex').slice(0, 24)}@corpus.mailmig.test>` : o.messageId;
  const headers = [
    `Date: ${rfc5322Date(o.date)}`,
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Subject: ${encodeHeaderText(o.subject)}`,
    ...(id !== null ? [`Message-ID: ${id}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${eightBit ? '8bit' : '7bit'}`,
  ];
  const raw = Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'utf8');
  const long = raw.toString('utf8').split('\r\n').find((l) => Buffer.byteLength(l) > 998);
  if (long !== undefined) throw new Error(`makeMessage: a line is longer than 998 bytes (${long.slice(0, 40)}...)`);
  return raw;
}

export interface StandardCorpusOptions {
  /** Folder names of the special-use folders: 'exchange' (Sent Items ...) or 'standard' (Sent ...). Default exchange. */
  flavor?: 'exchange' | 'standard';
  /** Size of the one message meant to exceed the destination's limit; default 3 MiB. */
  largeMessageBytes?: number;
}

/** Special-use folder names of an Exchange source -> their counterparts on a standard destination. */
export const EXCHANGE_TO_STANDARD_FOLDERS: Record<string, string> = Object.fromEntries(
  Object.entries(EXCHANGE_SPECIAL_USE).map(([name, use]) => [name, Object.entries(STANDARD_SPECIAL_USE).find(([, u]) => u === use)![0]]),
);

export const SHARED_MESSAGE_ID = '<shared-id@corpus.mailmig.test>';
export const LARGE_MESSAGE_SUBJECT = 'Too large for the destination';

/**
 * A small mailbox with every case a migration must get right (see the list in each folder).
 * Internal dates are always 3 h 17 min after the Date header, so a copy that takes one for the
 * other is caught.
 */
export function standardCorpus(opts: StandardCorpusOptions = {}): SeedFolder[] {
  const special = opts.flavor === 'standard' ? STANDARD_SPECIAL_USE : EXCHANGE_SPECIAL_USE;
  const nameOf = (use: string): string => Object.entries(special).find(([, u]) => u === use)![0];
  let n = 0;
  const msg = (subject: string, extra: Partial<MakeMessageOptions> & { flags?: string[] } = {}): SeedMessage => {
    n += 1;
    const date = new Date(Date.UTC(2024, 0, 1 + n, 9, n % 60, 0));
    const { flags, ...rest } = extra;
    return {
      raw: makeMessage({ subject, from: 'Alex Wilber <alexw@contoso.example>', to: 'Megan Bowen <meganb@contoso.example>', date, seed: `corpus-${n}`, ...rest }),
      flags: flags ?? ['\\Seen'],
      internalDate: new Date(date.getTime() + (3 * 60 + 17) * 60 * 1000),
    };
  };
  return [
    {
      path: 'INBOX',
      messages: [
        msg('Welcome to the new mailbox'),
        msg('Quarterly numbers', { flags: ['\\Seen', '\\Flagged'] }),
        msg('Re: Lunch on Friday', { flags: ['\\Seen', '\\Answered'] }),
        msg('Fwd: Contract draft', { flags: ['\\Seen', '$Forwarded'] }),
        msg('Project X kickoff', { flags: ['Project-X'] }),
        msg('Unread and unflagged', { flags: [] }),
        msg('A message without Message-ID', { messageId: null }),
        msg('Shared Message-ID, first message', { messageId: SHARED_MESSAGE_ID }),
        msg('Shared Message-ID, second message', { messageId: SHARED_MESSAGE_ID, bodyBytes: 512 }),
        msg('Grüße aus München – Übersicht', { body: 'Hallo Megan,\nanbei die Übersicht für März.\nViele Grüße\nAlex\n' }),
        msg(LARGE_MESSAGE_SUBJECT, { bodyBytes: opts.largeMessageBytes ?? 3 * 1024 * 1024 }),
      ],
    },
    { path: 'Projects', messages: [msg('Projects overview')] },
    { path: 'Projects/2024', messages: [msg('2024 plan')] },
    { path: 'Projects/2024/Q1', messages: [msg('Q1 status', { flags: ['\\Seen', 'Project-X'] }), msg('Q1 budget', { flags: ['\\Seen', '\\Flagged', '$Forwarded'] })] },
    { path: 'Entwürfe alt', messages: [msg('Alter Entwurf', { flags: ['\\Seen'] })] },
    { path: 'Входящие', messages: [msg('Привет из Москвы', { body: 'Здравствуйте!\nЭто тестовое письмо.\n' })] },
    { path: 'Входящие/Архив', messages: [msg('Архивное письмо 1'), msg('Архивное письмо 2', { flags: [] })] },
    { path: '日本語', messages: [msg('日本語の件名', { body: 'こんにちは。\nテストです。\n' })] },
    { path: 'Team.Notes', messages: [msg('A folder name with a dot')] },
    { path: nameOf('\\Sent'), specialUse: '\\Sent', messages: [msg('Sent reply', { flags: ['\\Seen', '\\Answered'] }), msg('Sent note')] },
    { path: nameOf('\\Drafts'), specialUse: '\\Drafts', messages: [msg('Unfinished draft', { flags: ['\\Draft'] })] },
    { path: nameOf('\\Trash'), specialUse: '\\Trash', messages: [msg('Deleted newsletter')] },
    { path: nameOf('\\Junk'), specialUse: '\\Junk', messages: [msg('You have won', { flags: [] })] },
    { path: nameOf('\\Archive'), specialUse: '\\Archive', messages: [msg('Archived 2023 report'), msg('Archived invoice', { flags: ['\\Seen', '\\Flagged'] })] },
  ];
}

/**
 * `count` small messages spread evenly over `folders` folders ('Bulk/001' ...), for volume and
 * speed tests. Deterministic like everything here.
 */
export function bulkCorpus(count: number, opts: { folders?: number; bodyBytes?: number; seed?: string } = {}): SeedFolder[] {
  const folders = Math.max(1, opts.folders ?? 10);
  const seed = opts.seed ?? 'bulk';
  return Array.from({ length: folders }, (_, f) => ({
    path: `Bulk/${String(f + 1).padStart(3, '0')}`,
    messages: Array.from({ length: Math.floor(count / folders) + (f < count % folders ? 1 : 0) }, (_, i) => {
      const date = new Date(Date.UTC(2023, 0, 1) + (f * 100_003 + i) * 60_000);
      return {
        raw: makeMessage({ subject: `Bulk ${f + 1}/${i + 1}`, from: 'bulk@contoso.example', to: 'user@contoso.example', date, bodyBytes: opts.bodyBytes ?? 512, seed: `${seed}-${f}-${i}` }),
        flags: i % 3 === 0 ? [] : ['\\Seen'],
        internalDate: date,
      };
    }),
  }));
}

/** A folder of exact twins (same bytes, flags and date) among other messages, spread over several ranges. */
export function twinsFolder(seed: string): SeedFolder {
  const date = new Date(Date.UTC(2024, 4, 1, 8, 0, 0));
  const twin = { raw: makeMessage({ subject: 'Sent twice', from: 'a@contoso.example', to: 'b@contoso.example', date, seed: `${seed}-twin` }), flags: ['\\Seen'], internalDate: date };
  const other = (i: number): SeedFolder['messages'][number] => {
    const d = new Date(date.getTime() + (i + 1) * 60_000);
    return { raw: makeMessage({ subject: `Between ${i}`, from: 'a@contoso.example', to: 'b@contoso.example', date: d, seed: `${seed}-${i}` }), flags: [], internalDate: d };
  };
  return { path: 'Twins', messages: [twin, other(1), twin, other(2), other(3), twin, other(4)] };
}

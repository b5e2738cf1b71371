import { iconv } from '../lazy-modules.js';
import type { FolderStatus, ListedFolder } from '../../contracts/imap.js';
import { readValues, type ResponseParts, type Value } from './response-values.js';

/** RFC 6154 special-use attributes, and the older XLIST names for the same roles. */
const SPECIAL_USE: Record<string, string> = {
  '\\ALL': '\\All', '\\ARCHIVE': '\\Archive', '\\DRAFTS': '\\Drafts', '\\FLAGGED': '\\Flagged', '\\JUNK': '\\Junk', '\\SENT': '\\Sent', '\\TRASH': '\\Trash',
  '\\ALLMAIL': '\\All', '\\SPAM': '\\Junk', '\\STARRED': '\\Flagged',
};

function text(v: Value | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  return undefined;
}

/**
 * A mailbox name from the wire (read as Latin-1): modified UTF-7 (RFC 3501 §5.1.3) decoded; 8-bit
 * bytes, which some servers send without being asked for UTF-8, read as UTF-8 where they are valid
 * UTF-8; INBOX in any case is INBOX.
 */
export function decodeMailboxName(raw: string): string {
  const bytes = Buffer.from(raw, 'latin1');
  const utf8 = /[\u0080-\u00ff]/.test(raw) ? bytes.toString('utf8') : undefined;
  const name = utf8 !== undefined && !utf8.includes('\ufffd') ? utf8 : raw.includes('&') ? iconv().decode(bytes, 'utf-7-imap') : raw;
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

/** `* LIST (\HasNoChildren \Sent) "/" "Sent"` (name quoted, atom or literal); undefined for any other response. */
export function parseList(r: ResponseParts): ListedFolder | undefined {
  const head = /^\* (?:X?LIST|LSUB) /i.exec(r.parts[0] ?? '');
  if (!head) return undefined;
  const [attrs, delimiter, name] = readValues(r, head[0].length);
  const raw = text(name);
  if (!Array.isArray(attrs) || raw === undefined) return undefined;
  const flags = attrs.map(text).filter((f): f is string => f !== undefined);
  const specialUse = flags.map((f) => SPECIAL_USE[f.toUpperCase()]).find((s) => s !== undefined);
  return { path: decodeMailboxName(raw), delimiter: text(delimiter) ?? '/', flags, ...(specialUse ? { specialUse } : {}) };
}

/** `* STATUS "name" (MESSAGES 3 UIDNEXT 9 UIDVALIDITY 17)`; undefined for any other response. */
export function parseStatus(r: ResponseParts): (FolderStatus & { path: string }) | undefined {
  const head = /^\* STATUS /i.exec(r.parts[0] ?? '');
  if (!head) return undefined;
  const [name, items] = readValues(r, head[0].length);
  const raw = text(name);
  if (raw === undefined || !Array.isArray(items)) return undefined;
  const get = (key: string): string | undefined => {
    const i = items.findIndex((v) => typeof v === 'string' && v.toUpperCase() === key);
    return i >= 0 ? text(items[i + 1]) : undefined;
  };
  return { path: decodeMailboxName(raw), messages: Number(get('MESSAGES') ?? 0), uidNext: Number(get('UIDNEXT') ?? 0), uidValidity: get('UIDVALIDITY') ?? '' };
}

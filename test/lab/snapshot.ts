import { createHash } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import { withImap } from './imap.js';
import type { ImapServerName, LabInfo } from './lab-info.js';
import type { SeedFolder } from './seed.js';

/**
 * What a mailbox holds, message by message, for asserting that a migration copied everything
 * exactly: per folder the multiset of (SHA-256 of the exact RFC822 bytes, size, flags,
 * INTERNALDATE). UIDs are left out on purpose: they differ between servers by design.
 */

export interface SnapshotMessage {
  sha256: string;
  /** Byte length of the RFC822 source. */
  size: number;
  /** Sorted, without \Recent. */
  flags: string[];
  /** ISO 8601, UTC. */
  internalDate: string;
}

export interface FolderSnapshot {
  /** Special-use attribute from LIST, if the server reports one. */
  specialUse?: string;
  /** Sorted by sha256, then internalDate, then flags: a canonical multiset. */
  messages: SnapshotMessage[];
}

export interface MailboxSnapshot {
  server: ImapServerName;
  address: string;
  /** Unicode folder path ('/'-separated) -> contents. */
  folders: Record<string, FolderSnapshot>;
}

export interface SnapshotOptions {
  /** UIDs per FETCH; bounds the memory of one response. Default 500. */
  rangeSize?: number;
  accessToken?: string;
}

const SPECIAL_USE = /^\\(All|Archive|Drafts|Flagged|Junk|Sent|Trash)$/;

const keyOf = (m: SnapshotMessage): string => `${m.sha256}|${m.size}|${m.internalDate}|${m.flags.join(' ')}`;
const byKey = (a: SnapshotMessage, b: SnapshotMessage): number => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0);

async function snapshotFolder(client: ImapFlow, path: string, rangeSize: number): Promise<SnapshotMessage[]> {
  const box = await client.mailboxOpen(path, { readOnly: true });
  if (box.exists === 0) return [];
  const messages: SnapshotMessage[] = [];
  const last = box.uidNext - 1;
  for (let lo = 1; lo <= last; lo += rangeSize) {
    const rows = await client.fetchAll(`${lo}:${Math.min(last, lo + rangeSize - 1)}`, { uid: true, flags: true, internalDate: true, source: true }, { uid: true });
    for (const row of rows) {
      const source = row.source ?? Buffer.alloc(0);
      const date = row.internalDate instanceof Date ? row.internalDate : new Date(row.internalDate ?? 0);
      messages.push({
        sha256: createHash('sha256').update(source).digest('hex'),
        size: source.length,
        flags: [...(row.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
        internalDate: date.toISOString(),
      });
    }
  }
  return messages.sort(byKey);
}

export async function snapshotMailbox(info: LabInfo, server: ImapServerName, address: string, opts: SnapshotOptions = {}): Promise<MailboxSnapshot> {
  const rangeSize = opts.rangeSize ?? 500;
  return withImap(info, server, address, async (client) => {
    const folders: Record<string, FolderSnapshot> = {};
    for (const f of await client.list()) {
      if (f.flags.has('\\Noselect') || f.flags.has('\\NonExistent')) continue;
      // Raw LIST attributes, not f.specialUse: imapflow reports one folder per special use.
      const specialUse = [...f.flags].find((x) => SPECIAL_USE.test(x));
      folders[f.path] = { ...(specialUse !== undefined ? { specialUse } : {}), messages: await snapshotFolder(client, f.path, rangeSize) };
    }
    return { server, address, folders };
  }, { accessToken: opts.accessToken });
}

export interface FolderMessage {
  folder: string;
  message: SnapshotMessage;
}

export interface SnapshotComparison {
  equal: boolean;
  /** In `a`, not in `b` (by content hash, in the mapped folder). */
  missing: FolderMessage[];
  /** In `b`, not in `a`. */
  extra: FolderMessage[];
  /** One readable line per difference (missing, extra, changed flags/date/size, folders). */
  diffs: string[];
}

export interface CompareOptions {
  /** Folders (by name on either side) left out of the comparison. */
  ignoreFolders?: string[];
  /** Folder in `a` -> folder in `b`, e.g. { 'Sent Items': 'Sent' }. */
  folderMap?: Record<string, string>;
  /** Also report folders present on one side only while empty, and special-use differences. */
  strictFolders?: boolean;
}

const canonical = (path: string): string => (path.toUpperCase() === 'INBOX' ? 'INBOX' : path);
const short = (m: SnapshotMessage): string => `${m.sha256.slice(0, 12)} (${m.size} B, ${m.internalDate}, [${m.flags.join(' ')}])`;

/**
 * Multiset comparison of `a` (e.g. the source) with `b` (e.g. the destination). A message found
 * in both with the same bytes but other flags or date is a change (in diffs), not missing+extra.
 */
export function compareSnapshots(a: MailboxSnapshot, b: MailboxSnapshot, opts: CompareOptions = {}): SnapshotComparison {
  const ignored = new Set((opts.ignoreFolders ?? []).map(canonical));
  const map = opts.folderMap ?? {};
  const left = new Map<string, FolderSnapshot>();
  for (const [path, f] of Object.entries(a.folders)) {
    if (ignored.has(canonical(path))) continue;
    const target = canonical(map[path] ?? path);
    if (ignored.has(target)) continue;
    const prev = left.get(target);
    left.set(target, { specialUse: prev?.specialUse ?? f.specialUse, messages: [...(prev?.messages ?? []), ...f.messages] });
  }
  const right = new Map([...Object.entries(b.folders)].filter(([p]) => !ignored.has(canonical(p))).map(([p, f]) => [canonical(p), f]));

  const missing: FolderMessage[] = [];
  const extra: FolderMessage[] = [];
  const diffs: string[] = [];
  for (const folder of [...new Set([...left.keys(), ...right.keys()])].sort()) {
    const fa = left.get(folder);
    const fb = right.get(folder);
    if (opts.strictFolders) {
      if (fa === undefined || fb === undefined) diffs.push(`folder "${folder}": only in ${fa ? 'a' : 'b'}`);
      else if (fa.specialUse !== fb.specialUse) diffs.push(`folder "${folder}": special-use ${fa.specialUse ?? 'none'} vs ${fb.specialUse ?? 'none'}`);
    }
    const rest = new Map<string, SnapshotMessage[]>();
    for (const m of fb?.messages ?? []) rest.set(keyOf(m), [...(rest.get(keyOf(m)) ?? []), m]);
    const unmatched: SnapshotMessage[] = [];
    for (const m of fa?.messages ?? []) {
      const same = rest.get(keyOf(m));
      if (same !== undefined && same.length > 0) same.pop();
      else unmatched.push(m);
    }
    const leftovers = [...rest.values()].flat();
    for (const m of unmatched) {
      const i = leftovers.findIndex((o) => o.sha256 === m.sha256);
      if (i < 0) {
        missing.push({ folder, message: m });
        diffs.push(`folder "${folder}": missing ${short(m)}`);
        continue;
      }
      const [o] = leftovers.splice(i, 1) as [SnapshotMessage];
      const what: string[] = [];
      if (m.flags.join(' ') !== o.flags.join(' ')) what.push(`flags [${m.flags.join(' ')}] -> [${o.flags.join(' ')}]`);
      if (m.internalDate !== o.internalDate) what.push(`internalDate ${m.internalDate} -> ${o.internalDate}`);
      diffs.push(`folder "${folder}": message ${m.sha256.slice(0, 12)} changed: ${what.join(', ')}`);
    }
    for (const o of leftovers) {
      extra.push({ folder, message: o });
      diffs.push(`folder "${folder}": extra ${short(o)}`);
    }
  }
  return { equal: diffs.length === 0, missing, extra, diffs };
}

function internalDateOf(path: string, d: Date | undefined): Date {
  // Without one the server stamps the arrival time, which no expectation can know.
  if (d === undefined) throw new Error(`expectedSnapshot: a message in "${path}" has no internalDate`);
  return d;
}

/**
 * The snapshot a mailbox seeded with `folders` should produce (what the seed meant, computed
 * without a server): compare it with snapshotMailbox() after seeding, or after a migration.
 * Internal dates are cut to whole seconds, as IMAP stores them.
 */
export function expectedSnapshot(server: ImapServerName, address: string, folders: SeedFolder[]): MailboxSnapshot {
  const out: Record<string, FolderSnapshot> = {};
  for (const f of folders) {
    const messages = f.messages.map((m): SnapshotMessage => {
      const raw = typeof m.raw === 'string' ? Buffer.from(m.raw, 'utf8') : m.raw;
      return {
        sha256: createHash('sha256').update(raw).digest('hex'),
        size: raw.length,
        flags: [...new Set(m.flags ?? [])].filter((x) => x !== '\\Recent').sort(),
        internalDate: new Date(Math.floor(internalDateOf(f.path, m.internalDate).getTime() / 1000) * 1000).toISOString(),
      };
    });
    const path = canonical(f.path);
    out[path] = { ...(f.specialUse !== undefined ? { specialUse: f.specialUse } : {}), messages: [...(out[path]?.messages ?? []), ...messages].sort(byKey) };
  }
  return { server, address, folders: out };
}

/** Message count per folder, for readable assertions and logs. */
export function folderCounts(s: MailboxSnapshot): Record<string, number> {
  return Object.fromEntries(Object.entries(s.folders).map(([p, f]) => [p, f.messages.length]));
}

import type { FolderVerification, MailboxVerification, MessageRef, OrphanFolder, VerificationIdentity } from '../contracts/verification.js';
import type { SourceReader } from '../contracts/imap-ports.js';
import type { MailboxPair } from '../contracts/mailbox-pair.js';
import { MigrationError } from '../errors/migration-error.js';
import { classify } from '../errors/classify.js';
import type { EngineDeps } from './engine-deps.js';
import { headerHash, IDENTITY_HEADERS, parseHeaders, type HeaderWordDecoder } from './fingerprint.js';
import { prepareFolders } from './prepare-folders.js';
import { isSelectable } from '../domain/folders/special-use.js';
import { once, type Attempt } from './retry.js';
import { passWindow } from './pass-window.js';
import { inWindow, isOpenWindow } from '../domain/controls/date-window.js';
import type { DateWindow } from '../contracts/mailbox-controls.js';
import { filedIdentities, messageIdentity } from './all-mail/archived-only.js';

export interface VerifyOptions {
  /**
   * How each read is tried. The CLI waits out throttling and transient errors here
   * (withRetry with the mailbox's ThrottleGate), as its copy does; by default each read is
   * tried once and a failure fails the mailbox's verification.
   */
  attempt?: Attempt;
  /**
   * Errors that leave the verification undecided and go back to the caller instead of a FAIL:
   * the Durable driver hands a throttling answer to its orchestrator, which waits on a durable timer.
   */
  handBack?: (err: MigrationError) => boolean;
}


const PAGE = 2000;
/** Lists in a verification are capped; the counts stay exact. */
const MAX_LISTED = 200;

interface Indexed {
  count: number;
  refs: Map<string, MessageRef[]>;
}

/**
 * Fingerprints every message of a folder from its identifying headers and, where the
 * destination keeps bytes as appended, its exact size. Headers only (BODY.PEEK): a verification
 * pass costs a fraction of a copy and marks nothing \Seen.
 */
async function index(s: SourceReader, path: string, withSize: boolean, decodeWords: HeaderWordDecoder, window?: DateWindow, archivedOnly = false): Promise<Indexed> {
  // The \All view is compared by its archived-only part: the rest was copied from the folders it is filed in.
  const filed = archivedOnly ? await filedIdentities(s, path, decodeWords) : undefined;
  const sel = await s.select(path, true);
  const refs = new Map<string, MessageRef[]>();
  let count = 0;
  for (let seq = 1; seq <= sel.messages; seq += PAGE) {
    const rows = await s.fetchHeaders(`${seq}:${Math.min(sel.messages, seq + PAGE - 1)}`, IDENTITY_HEADERS);
    for (const r of rows) {
      // A pass under a date window copies only its dates: the source outside it is not expected at the destination.
      if (window && !inWindow(window, r.internalDate)) continue;
      if (filed?.has(messageIdentity(r, decodeWords))) continue;
      count += 1;
      const fp = `${headerHash(r.headers, decodeWords)}${withSize ? `:${r.size}` : ''}`;
      const h = parseHeaders(r.headers);
      const ref: MessageRef = { uid: r.uid, size: r.size, ...opt('messageId', h.get('message-id')?.[0]), ...opt('subject', h.get('subject')?.[0]?.slice(0, 200)) };
      const list = refs.get(fp) ?? [];
      list.push(ref);
      refs.set(fp, list);
    }
  }
  // Without a window or a filed part every message counts, as SELECT said (a message expunged meanwhile is missing, not uncounted).
  return { count: filed || (window && !isOpenWindow(window)) ? count : sel.messages, refs };
}

function opt<K extends string>(k: K, v: string | undefined): Partial<Record<K, string>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, string>);
}

function push<T>(list: T[], v: T): void {
  if (list.length < MAX_LISTED) list.push(v);
}

export async function verifyFolder(deps: EngineDeps, pair: MailboxPair, folder: { sourcePath: string; destinationPath: string; archivedOnly?: true }, opts: VerifyOptions = {}): Promise<FolderVerification> {
  const { sourcePath, destinationPath } = folder;
  const attempt = opts.attempt ?? once;
  const exchange = deps.settings.destination.serverKind === 'exchange';
  // Exchange regenerates MIME and estimates RFC822.SIZE: sizes cannot be compared there.
  const identity: VerificationIdentity = exchange ? 'header-hash' : 'header-hash+size';
  const src = await attempt(() => deps.pool.with('source', pair.sourceEmail, (s) => index(s, sourcePath, !exchange, deps.decodeHeaderWords, passWindow(deps, pair), folder.archivedOnly === true)));
  const dst = await attempt(() => deps.pool.with('destination', pair.destinationEmail, (s) => index(s, destinationPath, !exchange, deps.decodeHeaderWords))).catch((e: unknown) => {
    // A destination folder that was never created holds nothing: every source message is missing.
    if (e instanceof MigrationError && e.code === 'FOLDER_NOT_FOUND') return { count: 0, refs: new Map<string, MessageRef[]>() };
    throw e;
  });
  const cp = await deps.checkpoints.get(pair.key, sourcePath);
  const explained = new Map<number, string>([...(cp?.skipped ?? []), ...(cp?.failed ?? [])].map((i) => [i.uid, `${i.code}: ${i.reason}`]));
  const counts = { missing: 0, accounted: 0, duplicated: 0, extra: 0 };
  const v: FolderVerification = { sourcePath, destinationPath, identity, sourceCount: src.count, destinationCount: dst.count, missing: [], accounted: [], duplicated: [], extra: [], counts, result: 'PASS' };
  for (const [fp, srcRefs] of src.refs) {
    const dstRefs = dst.refs.get(fp) ?? [];
    for (const r of srcRefs.slice(dstRefs.length)) {
      const why = explained.get(r.uid);
      if (why) {
        counts.accounted += 1;
        push(v.accounted, { ...r, reason: why });
      } else {
        counts.missing += 1;
        push(v.missing, r);
      }
    }
    for (const r of dstRefs.slice(srcRefs.length)) {
      counts.duplicated += 1;
      push(v.duplicated, r);
    }
  }
  for (const [fp, dstRefs] of dst.refs) {
    if (src.refs.has(fp)) continue;
    for (const r of dstRefs) {
      counts.extra += 1;
      push(v.extra, r);
    }
  }
  v.result = counts.missing === 0 && counts.duplicated === 0 ? 'PASS' : 'FAIL';
  return v;
}

/**
 * Destination folders that no source folder maps to and that hold messages: what a pass copied
 * from a folder since deleted or renamed at the source. Empty ones (a server's own defaults,
 * containers of mapped folders) are not worth a line.
 */
async function orphanFolders(deps: EngineDeps, destinationEmail: string, mapped: ReadonlySet<string>, attempt: Attempt): Promise<OrphanFolder[]> {
  return attempt(() =>
    deps.pool.withFolders('destination', destinationEmail, async (d) => {
      const listed = (await d.listFolders()).filter((f) => isSelectable(f) && !mapped.has(folderKey(f.path)));
      if (listed.length === 0) return [];
      const statuses = await d.statusMany(listed.map((f) => f.path));
      const out: OrphanFolder[] = [];
      for (const f of listed) {
        const messages = (statuses.get(f.path) ?? (await d.status(f.path))).messages;
        if (messages > 0) out.push({ destinationPath: f.path, messages });
      }
      return out;
    }),
  );
}

/** INBOX is case-insensitive (RFC 3501 5.1); other names are compared as the server spells them. */
function folderKey(path: string): string {
  return path.toUpperCase() === 'INBOX' ? 'INBOX' : path;
}

/** Verifies every mapped folder of a mailbox: PASS only when nothing is missing or duplicated. */
export async function verifyMailbox(deps: EngineDeps, pair: MailboxPair, opts: VerifyOptions = {}): Promise<MailboxVerification> {
  const { sourceEmail, destinationEmail } = pair;
  const attempt = opts.attempt ?? once;
  try {
    const prepared = await attempt(() => prepareFolders(deps, pair, { create: false }));
    const folders: FolderVerification[] = [];
    for (const f of prepared.folders) folders.push(await verifyFolder(deps, pair, f, opts));
    // Shown, never failed: a destination that cannot be listed again does not undo a comparison that is done.
    const orphans = await orphanFolders(deps, destinationEmail, new Set(prepared.folders.map((f) => folderKey(f.destinationPath))), attempt).catch((): OrphanFolder[] => []);
    return { sourceEmail, destinationEmail, result: folders.every((f) => f.result === 'PASS') ? 'PASS' : 'FAIL', folders, ...(orphans.length > 0 ? { orphanFolders: orphans } : {}) };
  } catch (e) {
    const err = classify(e, 'engine');
    if (opts.handBack?.(err)) throw err;
    return { sourceEmail, destinationEmail, result: 'FAIL', folders: [], error: { code: err.code, message: err.message } };
  }
}

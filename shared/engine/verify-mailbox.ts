import type { FolderVerification, MailboxVerification, MessageRef, VerificationIdentity } from '../contracts/verification.js';
import type { SourceReader } from '../contracts/imap-ports.js';
import type { MailboxPair } from '../contracts/mailbox-pair.js';
import { MigrationError } from '../errors/migration-error.js';
import { classify } from '../errors/classify.js';
import type { EngineDeps } from './engine-deps.js';
import { headerHash, IDENTITY_HEADERS, parseHeaders, type HeaderWordDecoder } from './fingerprint.js';
import { prepareFolders } from './prepare-folders.js';

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
async function index(s: SourceReader, path: string, withSize: boolean, decodeWords: HeaderWordDecoder): Promise<Indexed> {
  const sel = await s.select(path, true);
  const refs = new Map<string, MessageRef[]>();
  for (let seq = 1; seq <= sel.messages; seq += PAGE) {
    const rows = await s.fetchHeaders(`${seq}:${Math.min(sel.messages, seq + PAGE - 1)}`, IDENTITY_HEADERS);
    for (const r of rows) {
      const fp = `${headerHash(r.headers, decodeWords)}${withSize ? `:${r.size}` : ''}`;
      const h = parseHeaders(r.headers);
      const ref: MessageRef = { uid: r.uid, size: r.size, ...opt('messageId', h.get('message-id')?.[0]), ...opt('subject', h.get('subject')?.[0]?.slice(0, 200)) };
      const list = refs.get(fp) ?? [];
      list.push(ref);
      refs.set(fp, list);
    }
  }
  return { count: sel.messages, refs };
}

function opt<K extends string>(k: K, v: string | undefined): Partial<Record<K, string>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, string>);
}

function push<T>(list: T[], v: T): void {
  if (list.length < MAX_LISTED) list.push(v);
}

export async function verifyFolder(deps: EngineDeps, pair: MailboxPair, sourcePath: string, destinationPath: string): Promise<FolderVerification> {
  const exchange = deps.settings.destination.serverKind === 'exchange';
  // Exchange regenerates MIME and estimates RFC822.SIZE: sizes cannot be compared there.
  const identity: VerificationIdentity = exchange ? 'header-hash' : 'header-hash+size';
  const src = await deps.pool.with('source', pair.sourceEmail, (s) => index(s, sourcePath, !exchange, deps.decodeHeaderWords));
  const dst = await deps.pool.with('destination', pair.destinationEmail, (s) => index(s, destinationPath, !exchange, deps.decodeHeaderWords)).catch((e: unknown) => {
    // A destination folder that was never created holds nothing: every source message is missing.
    if (e instanceof MigrationError && e.code === 'FOLDER_NOT_FOUND') return { count: 0, refs: new Map<string, MessageRef[]>() };
    throw e;
  });
  const cp = await deps.checkpoints.get(pair.key, sourcePath);
  const explained = new Map<number, string>([...(cp?.skipped ?? []), ...(cp?.failed ?? [])].map((i) => [i.uid, `${i.code}: ${i.reason}`]));
  const v: FolderVerification = { sourcePath, destinationPath, identity, sourceCount: src.count, destinationCount: dst.count, missing: [], accounted: [], duplicated: [], extra: [], result: 'PASS' };
  let missing = 0;
  let duplicated = 0;
  for (const [fp, srcRefs] of src.refs) {
    const dstRefs = dst.refs.get(fp) ?? [];
    for (const r of srcRefs.slice(dstRefs.length)) {
      const why = explained.get(r.uid);
      if (why) push(v.accounted, { ...r, reason: why });
      else {
        missing += 1;
        push(v.missing, r);
      }
    }
    for (const r of dstRefs.slice(srcRefs.length)) {
      duplicated += 1;
      push(v.duplicated, r);
    }
  }
  for (const [fp, dstRefs] of dst.refs) if (!src.refs.has(fp)) for (const r of dstRefs) push(v.extra, r);
  v.result = missing === 0 && duplicated === 0 ? 'PASS' : 'FAIL';
  return v;
}

/** Verifies every mapped folder of a mailbox: PASS only when nothing is missing or duplicated. */
export async function verifyMailbox(deps: EngineDeps, pair: MailboxPair): Promise<MailboxVerification> {
  const { sourceEmail, destinationEmail } = pair;
  try {
    const prepared = await prepareFolders(deps, pair, { create: false });
    const folders: FolderVerification[] = [];
    for (const f of prepared.folders) folders.push(await verifyFolder(deps, pair, f.sourcePath, f.destinationPath));
    return { sourceEmail, destinationEmail, result: folders.every((f) => f.result === 'PASS') ? 'PASS' : 'FAIL', folders };
  } catch (e) {
    const err = classify(e, 'engine');
    return { sourceEmail, destinationEmail, result: 'FAIL', folders: [], error: { code: err.code, message: err.message } };
  }
}

import type { UidRange } from '../domain/ranges/range-planner.js';
import { addIssue, emptyCheckpoint, type FolderCheckpoint } from '../domain/checkpoints/folder-checkpoint.js';
import type { AppendResult, ImapSession, MessageMeta } from '../adapters/imap/imap-session.js';
import { MigrationError } from '../errors/migration-error.js';
import { destinationIdentity, type EngineDeps } from './engine-deps.js';
import { fingerprint, headerHash, IDENTITY_HEADERS, subjectOf, type IdentityKind } from './fingerprint.js';
import { appendFlags } from './flags.js';
import { FingerprintCache } from './fingerprint-cache.js';
import type { CopyRangeResult, FolderRef } from '../contracts/engine-types.js';

export interface CopyRangeInput extends FolderRef {
  range: UidRange;
}

export type { CopyRangeResult };

/** Bodies are fetched in batches of at most this many bytes: imapflow queues fetched rows without bound. */
const FETCH_BATCH_BYTES = 32 * 1024 * 1024;
const FETCH_BATCH_MESSAGES = 200;
/** Bytes queued for a pipelining connection at the most (APPEND_PIPELINE_DEPTH bounds the count). */
const PIPELINE_BYTES = 16 * 1024 * 1024;
const PIPELINE_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** UIDs per header FETCH of a retry window (header-hash identity). */
const HEADER_PAGE = 1000;
/** Destination fingerprints kept for windows read again (about 120 bytes each). */
const FINGERPRINTS = new FingerprintCache(200_000);

interface Queued {
  uid: number;
  size: number;
  dropped: number;
  /** Kept until settled (the pipeline window bounds it), for the subject of a refused message. */
  source?: Buffer;
  /** undefined: nothing appended (already at the destination). */
  appended: Promise<AppendResult | undefined>;
}

/**
 * Copies one bounded UID range of one folder, idempotently:
 * - UIDs at or below the checkpoint's lastUid are never copied again;
 * - before the first APPEND the checkpoint records the destination's UIDNEXT (inFlight), so a
 *   retry after a crash, a dropped connection or a lost tagged OK compares the source messages
 *   with what was appended since then (multiset of fingerprints) and appends only the rest.
 * Permanent per-message refusals are recorded and the range goes on; connection-level errors
 * throw (classified) after saving the progress made.
 */
export async function copyRange(deps: EngineDeps, input: CopyRangeInput): Promise<CopyRangeResult> {
  const { pool, checkpoints, settings } = deps;
  const source = await pool.acquireFolders('source', input.sourceEmail);
  const src = source.session;
  let dst: ImapSession | undefined;
  let appender: Awaited<ReturnType<typeof pool.acquireAppender>>;
  let broken = false;
  let throttled = false;
  try {
    const srcSel = await src.select(input.sourcePath, true);
    const stored = await checkpoints.get(input.mailbox, input.sourcePath);
    if (stored && stored.uidValidity !== srcSel.uidValidity) return { status: 'uidvalidity-changed', uidValidity: srcSel.uidValidity };
    const cp: FolderCheckpoint = stored ?? emptyCheckpoint(input.sourcePath, input.destinationPath, srcSel.uidValidity, new Date().toISOString());
    const from = Math.max(input.range.fromUid, cp.lastUid + 1);
    const result = { status: 'copied' as const, copied: 0, copiedBytes: 0, alreadyPresent: 0, skipped: 0, failed: 0, lastUid: Math.max(cp.lastUid, input.range.toUid) };
    if (from > input.range.toUid) return result; // a repeated range: nothing left to do

    const metas = (await src.fetchMeta(`${from}:${input.range.toUid}`)).filter((m) => m.uid >= from && m.uid <= input.range.toUid).sort((a, b) => a.uid - b.uid);
    appender = await pool.acquireAppender(input.destinationEmail);
    // With a pipelining connection, imapflow's destination session is needed only for a retry
    // window or a message that cannot be pipelined: one connection per worker instead of two.
    const destination = async (): Promise<ImapSession> => {
      if (!dst) {
        dst = await pool.acquire('destination', input.destinationEmail);
        await dst.select(input.destinationPath, false);
      }
      return dst;
    };
    const dstSel = appender ? await appender.item.selectFolder(input.destinationPath) : await (await destination()).select(input.destinationPath, false);
    const identity = destinationIdentity(settings);

    // A previous attempt may have appended part of this range: look at what arrived since.
    let window = cp.inFlight && cp.inFlight.destUidValidity === dstSel.uidValidity ? cp.inFlight.destUidNext : cp.inFlight ? 1 : undefined;
    if (cp.dedupeFromDestUid !== undefined) window = Math.min(window ?? Number.MAX_SAFE_INTEGER, cp.dedupeFromDestUid);
    // Copies of messages the checkpoint already counts as done are not in play: they must not
    // stand in for an identical twin still to be copied.
    const attributed = window !== undefined && (cp.dedupeFromDestUid === undefined || cp.reconcile !== undefined) ? await attributedUids(deps, input, dstSel.uidValidity, cp.lastUid) : new Set<number>();
    // A reconciling pass compares with what the destination held when it began, not with its own
    // appends (after a crash, the window of the range in flight counts: everything is compared).
    const below = !cp.inFlight && cp.reconcile?.destUidValidity === dstSel.uidValidity ? cp.reconcile.belowUid : undefined;
    const folderKey = `${settings.destination.host}:${settings.destination.port} ${input.destinationEmail.toLowerCase()} ${dstSel.uidValidity} ${identity} ${input.destinationPath}`;
    const present = window !== undefined ? await destinationFingerprints(await destination(), folderKey, window, identity, attributed, below) : new Map<string, number[]>();
    const mapped: [number, number][] = [];
    cp.inFlight = { fromUid: from, toUid: input.range.toUid, destUidValidity: dstSel.uidValidity, destUidNext: window ?? dstSel.uidNext };
    cp.destinationPath = input.destinationPath;
    cp.updatedAt = new Date().toISOString();
    // The window must be on record before the first APPEND (not before the source FETCH): the
    // write goes on while the first bodies arrive, and the first APPEND waits for it.
    const recorded = checkpoints.put(input.mailbox, structuredClone(cp));
    recorded.catch(() => undefined); // awaited below; never an unhandled rejection
    let onRecord = false;
    const beforeAppend = async (): Promise<void> => {
      if (!onRecord) await recorded;
      onRecord = true;
    };

    const toFetch: MessageMeta[] = [];
    for (const m of metas) {
      if (m.size > settings.maxMessageBytes) {
        cp.skippedCount += 1;
        result.skipped += 1;
        addIssue(cp.skipped, { uid: m.uid, size: m.size, code: 'MESSAGE_TOO_LARGE', reason: `${m.size} bytes is over MAX_MESSAGE_BYTES (${settings.maxMessageBytes})` });
      } else toFetch.push(m);
    }

    let done = from - 1;
    // Appends in flight, in source UID order: each settles in turn, so `done` only moves past
    // a message once it and every message before it are stored, skipped or reported.
    const queue: Queued[] = [];
    // With MULTIAPPEND a message may still wait for its command to fill up: room for two
    // commands, so a full one goes out while the next fills; the head is flushed before waiting.
    const inFlightMax = Math.max(settings.appendPipelineDepth, 2 * (appender?.item.batchMessages ?? 1));
    const settle = async (q: Queued): Promise<void> => {
      appender?.item.flushFor(q.appended);
      try {
        const appended = await q.appended;
        if (appended && appended.uid !== undefined) mapped.push([q.uid, appended.uid]);
        if (appended) {
          cp.copied += 1;
          cp.copiedBytes += q.size;
          cp.droppedKeywords += q.dropped;
          result.copied += 1;
          result.copiedBytes += q.size;
        }
      } catch (e) {
        if (!(e instanceof MigrationError) || e.errorClass !== 'permanent' || e.code === 'OVER_QUOTA' || e.code === 'IMAP_AUTH_FAILED' || e.code === 'FOLDER_NOT_FOUND') throw e;
        // This message alone was refused (too large, malformed): report it, go on.
        cp.failedCount += 1;
        result.failed += 1;
        addIssue(cp.failed, { uid: q.uid, size: q.size, code: e.code, reason: e.message, ...optionalSubject(q.source) });
      }
      done = q.uid;
    };
    const drain = async (): Promise<void> => {
      while (queue.length > 0) await settle(queue.shift()!);
    };
    try {
      for (const batch of batches(toFetch)) {
        const uids = batch.map((m) => m.uid).join(',');
        for await (const msg of src.fetchSources(uids)) {
          const fp = present.size > 0 ? fingerprint(msg.source, identity) : undefined;
          const seen = fp !== undefined ? present.get(fp) : undefined;
          const there = seen?.shift();
          if (there !== undefined) {
            mapped.push([msg.uid, there]);
            cp.alreadyPresent += 1;
            result.alreadyPresent += 1;
            queue.push({ uid: msg.uid, size: 0, dropped: 0, appended: Promise.resolve(undefined) });
          } else {
            const { flags, dropped } = appendFlags(msg.flags, dstSel.permanentFlags);
            // A NUL byte needs a literal8 (imapflow knows how), and a very large message is sent
            // alone so its bytes are not held twice (queue + socket buffer); the rest is pipelined.
            await beforeAppend();
            if (appender && msg.source.length <= PIPELINE_MAX_MESSAGE_BYTES && !msg.source.includes(0)) {
              const appended = appender.item.append(input.destinationPath, msg.source, flags, msg.internalDate);
              appended.catch(() => undefined); // settled in order below; never an unhandled rejection
              queue.push({ uid: msg.uid, size: msg.source.length, dropped, source: msg.source, appended });
            } else {
              await drain();
              queue.push({ uid: msg.uid, size: msg.source.length, dropped, source: msg.source, appended: (await destination()).append(input.destinationPath, msg.source, flags, msg.internalDate) });
              await drain();
            }
          }
          while (queue.length > 0 && (queue.length >= inFlightMax || (appender?.item.queuedBytes ?? 0) > PIPELINE_BYTES)) await settle(queue.shift()!);
        }
        await drain();
        // Messages that vanished between the metadata fetch and the body fetch (expunged) count as done.
        done = Math.max(done, batch[batch.length - 1]!.uid);
      }
      cp.lastUid = Math.max(cp.lastUid, input.range.toUid);
      delete cp.inFlight;
    } catch (e) {
      broken = true;
      throttled = isThrottled(e);
      // Keep what is certain; inFlight stays so the retry checks the destination window.
      cp.lastUid = Math.max(cp.lastUid, done);
      throw e;
    } finally {
      // In order after the window's own record, whatever the store.
      await recorded.catch(() => undefined);
      cp.updatedAt = new Date().toISOString();
      // The map first: a checkpoint that says "done" must never point past a map that lacks the pairs.
      await checkpoints.appendUidMap(input.mailbox, input.sourcePath, dstSel.uidValidity, mapped).catch(() => undefined);
      await checkpoints.put(input.mailbox, cp).catch(() => undefined);
    }
    return result;
  } catch (e) {
    broken = true;
    throttled = isThrottled(e);
    throw e;
  } finally {
    // A throttling answer leaves the source connection good (the raw reader knows when it is not):
    // the retry after the wait goes on it rather than logging in again during the back-off.
    source.release(broken && !throttled);
    if (dst) pool.release(dst, broken);
    if (appender) pool.releaseAppender(input.destinationEmail, appender, broken);
  }
}

function isThrottled(e: unknown): boolean {
  return e instanceof MigrationError && e.errorClass === 'throttled';
}

function optionalSubject(raw: Buffer | undefined): { subject?: string } {
  const s = raw ? subjectOf(raw) : undefined;
  return s === undefined ? {} : { subject: s };
}

function* batches(metas: MessageMeta[]): Generator<MessageMeta[]> {
  let cur: MessageMeta[] = [];
  let bytes = 0;
  for (const m of metas) {
    if (cur.length > 0 && (cur.length >= FETCH_BATCH_MESSAGES || bytes + m.size > FETCH_BATCH_BYTES)) {
      yield cur;
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += m.size;
  }
  if (cur.length > 0) yield cur;
}

/**
 * Destination UIDs of messages the checkpoint counts as done (source UID <= lastUid). Pairs past
 * lastUid are left in play: the map is written before the checkpoint, so after a crash between
 * the two those copies are exactly what the retry must recognise.
 */
async function attributedUids(deps: EngineDeps, input: CopyRangeInput, destUidValidity: string, lastUid: number): Promise<Set<number>> {
  const map = await deps.checkpoints.readUidMap(input.mailbox, input.sourcePath);
  const out = new Set<number>();
  if (map && map.destUidValidity === destUidValidity) for (const [src, dst] of map.pairs) if (src <= lastUid) out.add(dst);
  return out;
}

/** Fingerprint -> destination UIDs (in UID order) of the messages from `fromUid` on (below `belowUid` if given), less `exclude`. */
async function destinationFingerprints(dst: ImapSession, folderKey: string, fromUid: number, identity: IdentityKind, exclude: ReadonlySet<number>, belowUid = Number.MAX_SAFE_INTEGER): Promise<Map<string, number[]>> {
  const known = FINGERPRINTS.folder(folderKey);
  // "N:*" returns the last message even when N is past it (RFC 3501 §6.4.8): filter by UID.
  const metas = (await dst.fetchMeta(belowUid > fromUid && belowUid < Number.MAX_SAFE_INTEGER ? `${fromUid}:${belowUid - 1}` : `${fromUid}:*`)).filter((m) => m.uid >= fromUid && m.uid < belowUid && !exclude.has(m.uid)).sort((a, b) => a.uid - b.uid);
  const taken = new Map<number, string>();
  const take = (uid: number, fp: string): void => {
    taken.set(uid, fp);
    FINGERPRINTS.add(folderKey, uid, fp);
  };
  const missing = metas.filter((m) => !known.has(m.uid));
  if (identity === 'header-hash') {
    // The identity is made of a few headers: a window of any size costs a fraction of its bytes.
    for (let i = 0; i < missing.length; i += HEADER_PAGE) {
      for (const r of await dst.fetchHeaders(missing.slice(i, i + HEADER_PAGE).map((m) => m.uid).join(','), IDENTITY_HEADERS, true)) take(r.uid, headerHash(r.headers));
    }
  } else {
    for (const batch of batches(missing)) {
      for await (const m of dst.fetchSources(batch.map((x) => x.uid).join(','))) take(m.uid, fingerprint(m.source, identity));
    }
  }
  const out = new Map<string, number[]>();
  for (const m of metas) {
    const fp = known.get(m.uid) ?? taken.get(m.uid);
    if (fp !== undefined) out.set(fp, [...(out.get(fp) ?? []), m.uid]);
  }
  return out;
}

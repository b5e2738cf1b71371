import { describe, expect, it } from 'vitest';
import { decodeHeaderWords } from '../../../shared/adapters/lazy-modules.js';
import { loadSettings } from '../../../shared/config/settings.js';
import type { FolderSession } from '../../../shared/adapters/imap/folder-session.js';
import type { AppendPipeline, DestinationWriter, ImapConnections } from '../../../shared/contracts/imap-ports.js';
import type { AppendResult, MessageMeta, MessageWithSource, SelectedFolder } from '../../../shared/contracts/imap.js';
import type { CheckpointStore, UidMap } from '../../../shared/domain/checkpoints/checkpoint-store.js';
import { emptyCheckpoint, type FolderCheckpoint } from '../../../shared/domain/checkpoints/folder-checkpoint.js';
import { MigrationError } from '../../../shared/errors/migration-error.js';
import { copyRange } from '../../../shared/engine/copy-range.js';
import type { EngineDeps } from '../../../shared/engine/engine-deps.js';
import { FingerprintCache } from '../../../shared/engine/fingerprint-cache.js';
import { VALID_SETTINGS } from '../../support/valid-settings.js';

/**
 * copyRange over scripted fakes that log, in one list, every IMAP command, ledger write and
 * connection taken or given back: the order the lab tests rely on, checked without a server.
 */

const mail = (n: number): Buffer => Buffer.from(`Message-ID: <m${n}@x>\r\nSubject: message ${n}\r\n\r\nbody ${n}\r\n`);
const meta = (uid: number, source: Buffer): MessageMeta => ({ uid, size: source.length, flags: ['\\Seen'], internalDate: '2026-06-01T10:00:00.000Z' });
const selected = (uidValidity: string, uidNext: number): SelectedFolder => ({ uidValidity, uidNext, messages: uidNext - 1, permanentFlags: ['\\Seen', '\\*'] });

interface World {
  log: string[];
  source: Map<number, Buffer>;
  destination: Map<number, Buffer>;
  ledger: { cp?: FolderCheckpoint; map?: UidMap };
  /** Fails the APPEND of this many'th message (1-based) with this error. */
  failAppend?: { nth: number; error: unknown };
  pipelining: boolean;
  /** The window's ledger write ends only after the source FETCH of bodies has begun. */
  holdWindowUntilFetch?: boolean;
  /** The appender's SELECT is answered only after the source FETCH of bodies has begun. */
  holdSelectUntilFetch?: boolean;
  /** The appender's SELECT fails with this error. */
  failSelect?: unknown;
  /** The source's metadata FETCH fails with this error. */
  failMeta?: unknown;
  /** The source's body FETCH fails with this error after its first message. */
  failBodies?: unknown;
  /** The pool takes this long to lend the appender. */
  appenderDelayMs?: number;
}

function world(sourceCount: number, opts: Partial<World> = {}): World {
  const source = new Map<number, Buffer>();
  for (let uid = 1; uid <= sourceCount; uid++) source.set(uid, mail(uid));
  return { log: [], source, destination: new Map(), ledger: {}, pipelining: true, ...opts };
}

function deps(w: World): EngineDeps {
  let appends = 0;
  let fetchAsked = (): void => undefined;
  const fetchStarted = new Promise<void>((r) => (fetchAsked = r));
  const store = (site: string, buf: Buffer): Promise<AppendResult> => {
    appends += 1;
    w.log.push(`${site} APPEND`);
    if (w.failAppend?.nth === appends) return Promise.reject(w.failAppend.error);
    const uid = Math.max(0, ...w.destination.keys()) + 1;
    w.destination.set(uid, buf);
    return Promise.resolve({ uid, uidValidity: '900' });
  };
  const uidNext = (): number => Math.max(0, ...w.destination.keys()) + 1;
  const uidsFrom = (range: string, all: Map<number, Buffer>): number[] => {
    const [a, b] = range.split(':');
    const keys = [...all.keys()].sort((x, y) => x - y);
    return keys.filter((u) => u >= Number(a) && (b === '*' || u <= Number(b)));
  };
  const src = {
    select: async (path: string) => (w.log.push(`source SELECT ${path}`), selected('100', w.source.size + 1)),
    fetchMeta: async (range: string) => {
      w.log.push(`source FETCH meta ${range}`);
      if (w.failMeta) throw w.failMeta;
      return uidsFrom(range, w.source).map((u) => meta(u, w.source.get(u)!));
    },
    fetchSources: async function* (uids: string): AsyncGenerator<MessageWithSource> {
      w.log.push(`source FETCH bodies ${uids}`);
      fetchAsked();
      for (const u of uids.split(',').map(Number)) {
        yield { ...meta(u, w.source.get(u)!), source: w.source.get(u)! };
        if (w.failBodies) throw w.failBodies;
      }
    },
  } as unknown as FolderSession;
  const dst = {
    select: async (path: string) => (w.log.push(`destination SELECT ${path}`), selected('900', uidNext())),
    fetchMeta: async (range: string) => (w.log.push(`destination FETCH meta ${range}`), uidsFrom(range, w.destination).map((u) => meta(u, w.destination.get(u)!))),
    fetchSources: async function* (uids: string): AsyncGenerator<MessageWithSource> {
      w.log.push(`destination FETCH bodies ${uids}`);
      for (const u of uids.split(',').map(Number)) yield { ...meta(u, w.destination.get(u)!), source: w.destination.get(u)! };
    },
    append: (_path: string, buf: Buffer) => store('destination', buf),
  } as unknown as DestinationWriter;
  const appender = {
    selectFolder: async (path: string) => {
      w.log.push(`appender SELECT ${path}`);
      if (w.holdSelectUntilFetch) await fetchStarted;
      if (w.failSelect) throw w.failSelect;
      w.log.push('appender SELECT answered');
      return selected('900', uidNext());
    },
    append: (_path: string, buf: Buffer) => store('appender', buf),
    flushFor: () => undefined,
    queuedBytes: 0,
    batchMessages: 1,
  } as unknown as AppendPipeline;
  const pool: Pick<ImapConnections, 'acquireFolders' | 'acquire' | 'acquireAppender' | 'release' | 'releaseAppender'> = {
    acquireFolders: async () => (w.log.push('take source'), { session: src, release: (broken = false) => w.log.push(`give back source${broken ? ' broken' : ''}`) }),
    acquire: async () => (w.log.push('take destination'), dst),
    acquireAppender: async () => {
      w.log.push('take appender');
      if (w.appenderDelayMs) await new Promise((r) => setTimeout(r, w.appenderDelayMs));
      return w.pipelining ? { item: appender, expiresOnMs: Infinity } : undefined;
    },
    release: (_s, broken = false) => w.log.push(`give back destination${broken ? ' broken' : ''}`),
    releaseAppender: (_m, _a, broken = false) => w.log.push(`give back appender${broken ? ' broken' : ''}`),
  };
  const checkpoints: Partial<CheckpointStore> = {
    get: async () => (w.log.push('ledger get'), structuredClone(w.ledger.cp)),
    put: async (_mailbox, cp) => {
      const snapshot = structuredClone(cp);
      w.log.push(`ledger put lastUid=${cp.lastUid}${cp.inFlight ? ` inFlight destUidNext=${cp.inFlight.destUidNext}` : ''}`);
      if (w.holdWindowUntilFetch && cp.inFlight) {
        // A ledger slower than the source: the write ends after the FETCH has begun.
        await fetchStarted;
        await new Promise((r) => setTimeout(r, 10));
        w.log.push('ledger window on record');
      }
      w.ledger.cp = snapshot;
    },
    readUidMap: async () => (w.log.push('ledger read map'), w.ledger.map),
    readBudget: async () => (w.log.push('ledger read budget'), { window: undefined, version: undefined }),
    writeBudget: async () => (w.log.push('ledger write budget'), true),
    appendUidMap: async (_mailbox, _path, destUidValidity, pairs) => {
      w.log.push(`ledger map ${pairs.map(([s, d]) => `${s}>${d}`).join(' ')}`);
      const map = w.ledger.map?.destUidValidity === destUidValidity ? w.ledger.map : { destUidValidity, pairs: new Map<number, number>() };
      for (const [s, d] of pairs) map.pairs.set(s, d);
      w.ledger.map = map;
    },
  };
  return {
    settings: loadSettings({ ...VALID_SETTINGS, APPEND_PIPELINE_DEPTH: '4' }),
    pool: pool as ImapConnections,
    checkpoints: checkpoints as CheckpointStore,
    log: { info: () => undefined, warn: () => undefined },
    fingerprints: new FingerprintCache(100),
    decodeHeaderWords,
  };
}

const input = { mailbox: 'a->a', sourceEmail: 'a@x', destinationEmail: 'a@x', sourcePath: 'INBOX', destinationPath: 'Inbox', range: { fromUid: 1, toUid: 3, count: 3, bytes: 0 } };

/**
 * A range of three messages from the window's record on: the three APPENDs, the source given back
 * as soon as its last body is read (the next range or folder plans on it while the APPENDs are
 * answered), the map, the checkpoint, the APPEND connection given back.
 */
const windowThenThreeAppended = [
  'ledger put lastUid=0 inFlight destUidNext=1',
  'ledger window on record',
  'appender APPEND',
  'appender APPEND',
  'appender APPEND',
  'give back source',
  'ledger map 1>1 2>2 3>3',
  'ledger put lastUid=3',
  'give back appender',
];

describe('copyRange', () => {
  it('copies a range on one source and one pipelining connection, the window on record beside the source FETCH and before the first APPEND', async () => {
    const w = world(3, { holdWindowUntilFetch: true });
    const r = await copyRange(deps(w), input);
    expect(r).toEqual({ status: 'copied', copied: 3, copiedBytes: [1, 2, 3].reduce((n, u) => n + mail(u).length, 0), alreadyPresent: 0, skipped: 0, failed: 0, vanished: 0, lastUid: 3 });
    expect(w.log).toEqual([
      'take source',
      'source SELECT INBOX',
      'ledger get',
      'source FETCH meta 1:3',
      'take appender',
      'appender SELECT Inbox',
      'appender SELECT answered',
      'source FETCH bodies 1,2,3',
      ...windowThenThreeAppended,
    ]);
  });

  it("with the plan's rows: no metadata FETCH, and the bodies are asked for before the destination's SELECT is answered; still nothing appended before the window is on record", async () => {
    const w = world(3, { holdSelectUntilFetch: true, holdWindowUntilFetch: true });
    const rows = [1, 2, 3].map((u) => meta(u, w.source.get(u)!));
    const r = await copyRange(deps(w), input, { rows });
    expect(r).toMatchObject({ status: 'copied', copied: 3, lastUid: 3 });
    expect(w.log).toEqual([
      'take source',
      'source SELECT INBOX',
      'ledger get',
      'take appender',
      'appender SELECT Inbox',
      'source FETCH bodies 1,2,3',
      'appender SELECT answered',
      ...windowThenThreeAppended,
    ]);
    expect([...w.destination.values()]).toEqual([mail(1), mail(2), mail(3)]);
  });

  it("a destination SELECT that fails while the bodies are coming: its error, nothing appended, nothing written to the ledger, the connections given back as broken", async () => {
    const refused = new MigrationError('FOLDER_NOT_FOUND', 'permanent', 'no such folder');
    const w = world(3, { holdSelectUntilFetch: true, failSelect: refused });
    await expect(copyRange(deps(w), input)).rejects.toBe(refused);
    expect(w.log.filter((l) => l.includes('APPEND') || l.startsWith('ledger put') || l.startsWith('ledger map'))).toEqual([]);
    expect(w.log).toContain('source FETCH bodies 1,2,3');
    expect(w.log.slice(-2)).toEqual(['give back source broken', 'give back appender broken']);
    expect(w.destination.size).toBe(0);
  });

  it('under a byte budget, a destination that fails before the first FETCH spends none of the budget and asks for no bodies', async () => {
    const refused = new MigrationError('FOLDER_NOT_FOUND', 'permanent', 'no such folder');
    const w = world(3, { failSelect: refused });
    const budgeted = { ...deps(w), settings: loadSettings({ ...VALID_SETTINGS, APPEND_PIPELINE_DEPTH: '4', DAILY_BYTES_PER_MAILBOX: '1000000' }) };
    await expect(copyRange(budgeted, input)).rejects.toBe(refused);
    expect(w.log.filter((l) => l.includes('budget') || l.includes('FETCH bodies') || l.includes('APPEND'))).toEqual([]);
  });

  it('a source that fails while the destination is still being taken: the range ends only once it is taken, and gives it back', async () => {
    const dropped = new MigrationError('IMAP_CONNECTION_FAILED', 'transient', 'connection reset');
    const w = world(3, { failMeta: dropped, appenderDelayMs: 30 });
    await expect(copyRange(deps(w), input)).rejects.toBe(dropped);
    expect(w.log.slice(-2)).toEqual(['give back source broken', 'give back appender broken']);
    expect(w.log.filter((l) => l.startsWith('ledger put') || l.includes('APPEND'))).toEqual([]);
  });

  it('appends through the imapflow session, opened once, when the destination cannot pipeline', async () => {
    const w = world(2, { pipelining: false });
    await copyRange(deps(w), { ...input, range: { ...input.range, toUid: 2 } });
    expect(w.log).toEqual([
      'take source',
      'source SELECT INBOX',
      'ledger get',
      'source FETCH meta 1:2',
      'take appender',
      'take destination',
      'source FETCH bodies 1,2',
      'destination SELECT Inbox',
      'destination SELECT Inbox',
      'ledger put lastUid=0 inFlight destUidNext=1',
      'destination APPEND',
      'destination APPEND',
      'give back source',
      'ledger map 1>1 2>2',
      'ledger put lastUid=2',
      'give back destination',
    ]);
  });

  it('on a retry appends only what the interrupted attempt did not store, and keeps twins apart', async () => {
    const w = world(3);
    w.source.set(2, mail(1)); // source 1 and 2 are twins
    w.destination.set(1, mail(9)); // there before the range
    w.destination.set(2, mail(1)); // the interrupted attempt stored one of the twins
    w.ledger.cp = { ...emptyCheckpoint('INBOX', 'Inbox', '100', 'then'), inFlight: { fromUid: 1, toUid: 3, destUidValidity: '900', destUidNext: 2 } };
    const r = await copyRange(deps(w), input);
    expect(r).toMatchObject({ status: 'copied', copied: 2, alreadyPresent: 1, lastUid: 3 });
    expect(w.log).toEqual([
      'take source',
      'source SELECT INBOX',
      'ledger get',
      'source FETCH meta 1:3',
      'take appender',
      'appender SELECT Inbox',
      'appender SELECT answered',
      'source FETCH bodies 1,2,3',
      'ledger read map',
      'take destination',
      'destination SELECT Inbox',
      'destination FETCH meta 2:*',
      'destination FETCH bodies 2',
      'ledger put lastUid=0 inFlight destUidNext=2',
      'appender APPEND',
      'appender APPEND',
      'give back source',
      'ledger map 1>2 2>3 3>4',
      'ledger put lastUid=3',
      'give back destination',
      'give back appender',
    ]);
    expect([...w.destination.values()].filter((b) => b.equals(mail(1)))).toHaveLength(2);
  });

  it('saves what is certain and closes its APPEND connection when it drops after two stored; the source, read whole before, was given back as good', async () => {
    const lost = new MigrationError('IMAP_CONNECTION_FAILED', 'transient', 'connection reset');
    const w = world(3, { failAppend: { nth: 3, error: lost } });
    await expect(copyRange(deps(w), input)).rejects.toBe(lost);
    expect(w.log.slice(-5)).toEqual(['appender APPEND', 'give back source', 'ledger map 1>1 2>2', 'ledger put lastUid=2 inFlight destUidNext=1', 'give back appender broken']);
  });

  it('records a message the destination refuses and copies the rest', async () => {
    const w = world(3, { failAppend: { nth: 2, error: new MigrationError('MESSAGE_REJECTED', 'permanent', 'malformed') } });
    const r = await copyRange(deps(w), input);
    expect(r).toMatchObject({ status: 'copied', copied: 2, failed: 1, lastUid: 3 });
    expect(w.ledger.cp!.failed).toEqual([expect.objectContaining({ uid: 2, code: 'MESSAGE_REJECTED', subject: 'message 2' })]);
    expect(w.log.slice(-4)).toEqual(['give back source', 'ledger map 1>1 3>2', 'ledger put lastUid=3', 'give back appender']);
  });

  it('keeps the source connection after a throttling answer and closes the others', async () => {
    const w = world(3, { failAppend: { nth: 1, error: new MigrationError('IMAP_THROTTLED', 'throttled', 'slow down', { retryAfterMs: 10 }) } });
    await expect(copyRange(deps(w), input)).rejects.toMatchObject({ code: 'IMAP_THROTTLED' });
    expect(w.log.filter((l) => l.startsWith('give back'))).toEqual(['give back source', 'give back appender broken']);
  });

  it('keeps a source connection that answered a body FETCH with a throttling refusal; its APPEND connection is closed', async () => {
    const w = world(3, { failBodies: new MigrationError('IMAP_THROTTLED', 'throttled', 'slow down', { retryAfterMs: 10 }) });
    await expect(copyRange(deps(w), input)).rejects.toMatchObject({ code: 'IMAP_THROTTLED' });
    expect(w.log.filter((l) => l.startsWith('give back'))).toEqual(['give back source', 'give back appender broken']);
  });

  it('touches nothing when the source folder has a new UIDVALIDITY', async () => {
    const w = world(3);
    w.ledger.cp = emptyCheckpoint('INBOX', 'Inbox', '99', 'then');
    expect(await copyRange(deps(w), input)).toEqual({ status: 'uidvalidity-changed', uidValidity: '100' });
    expect(w.log).toEqual(['take source', 'source SELECT INBOX', 'ledger get', 'give back source']);
  });

  it('does nothing for a range the checkpoint has already passed', async () => {
    const w = world(3);
    w.ledger.cp = { ...emptyCheckpoint('INBOX', 'Inbox', '100', 'then'), lastUid: 5 };
    expect(await copyRange(deps(w), input)).toMatchObject({ status: 'copied', copied: 0, lastUid: 5 });
    expect(w.log).toEqual(['take source', 'source SELECT INBOX', 'ledger get', 'give back source']);
  });
});

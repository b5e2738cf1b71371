import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeUidMap, encodeUidPairs, type CheckpointStore, type UidMap } from '../../domain/checkpoints/checkpoint-store.js';
import type { FolderCheckpoint } from '../../domain/checkpoints/folder-checkpoint.js';
import { classify } from '../../errors/classify.js';
import { AppendFiles } from './append-files.js';

interface LedgerFile {
  mailbox: string;
  folders: Record<string, FolderCheckpoint>;
  closedAt?: string;
  pausedUntil?: string;
}

/** One journal line: a folder's whole checkpoint, or the mailbox's closing or pause. */
type JournalRecord = { f: string; cp: FolderCheckpoint } | { closedAt: string } | { pausedUntil: string };

/** Records after which the journal is folded into the snapshot. */
const JOURNAL_MAX_RECORDS = 256;

/**
 * Applies journal text to a snapshot. Every record is a whole value (last one wins), so replaying
 * a journal over a snapshot that already holds it changes nothing; a torn last line (a crash
 * mid-write) is the write that did not happen.
 */
function replay(ledger: LedgerFile, journal: string): void {
  for (const line of journal.split('\n')) {
    if (line === '') continue;
    let r: JournalRecord;
    try {
      r = JSON.parse(line) as JournalRecord;
    } catch {
      break;
    }
    if ('f' in r) ledger.folders[r.f] = r.cp;
    else if ('closedAt' in r) ledger.closedAt = r.closedAt;
    else ledger.pausedUntil = r.pausedUntil;
  }
}

/** A mailbox's ledger as on disk now (snapshot plus journal), for tools that watch a running batch. */
export function readLedgerSync(snapshotPath: string): LedgerFile | undefined {
  const text = (p: string): string | undefined => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  };
  const snap = text(snapshotPath);
  const journal = text(journalPath(snapshotPath));
  if (snap === undefined && journal === undefined) return undefined;
  const ledger = snap !== undefined ? (JSON.parse(snap) as LedgerFile) : { mailbox: '', folders: {} };
  replay(ledger, journal ?? '');
  return ledger;
}

const journalPath = (snapshotPath: string): string => snapshotPath.replace(/\.json$/, '.journal');

/**
 * The CLI's ledger: per mailbox pair, a snapshot (STATE_DIR/checkpoints/<hash>.json, replaced
 * by rename, so never half-written) and a journal beside it (<hash>.journal) that each change
 * is appended to as one line — one write per checkpoint instead of a new file and a rename.
 * An earlier process's journal is folded into the snapshot before this process first writes
 * (so nothing is ever appended after a torn line; a run that only reads writes nothing), and
 * the journal again every JOURNAL_MAX_RECORDS records. Operations on one mailbox are
 * serialised in-process.
 */
export class FileCheckpointStore implements CheckpointStore {
  private readonly chains = new Map<string, Promise<unknown>>();
  /** `fold`: a journal from an earlier process was read; it is folded into the snapshot before the first write. */
  private readonly cache = new Map<string, { ledger: LedgerFile; records: number; fold: boolean }>();
  private readonly files = new AppendFiles();
  /** Directories already created by this process: a mkdir per write cost as much as the write. */
  private readonly madeDirs = new Set<string>();

  constructor(private readonly dir: string) {}

  private async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  private file(mailbox: string): string {
    return join(this.dir, 'checkpoints', `${createHash('sha256').update(mailbox).digest('hex').slice(0, 40)}.json`);
  }

  private async load(mailbox: string): Promise<LedgerFile> {
    const hit = this.cache.get(mailbox);
    if (hit) return hit.ledger;
    const path = this.file(mailbox);
    const read = async (p: string): Promise<string | undefined> => {
      try {
        return await readFile(p, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    };
    const snap = await read(path);
    const ledger: LedgerFile = snap !== undefined ? (JSON.parse(snap) as LedgerFile) : { mailbox, folders: {} };
    const journal = await read(journalPath(path));
    if (journal !== undefined) replay(ledger, journal);
    this.cache.set(mailbox, { ledger, records: 0, fold: journal !== undefined });
    return ledger;
  }

  /** Writes the snapshot (temporary file, then rename), then drops the journal it now holds. */
  private async compact(mailbox: string): Promise<void> {
    const entry = this.cache.get(mailbox)!;
    const path = this.file(mailbox);
    await this.ensureDir(join(this.dir, 'checkpoints'));
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(entry.ledger));
    await rename(tmp, path);
    await this.files.close(journalPath(path));
    await rm(journalPath(path), { force: true });
    entry.records = 0;
    entry.fold = false;
  }

  private async record(mailbox: string, r: JournalRecord): Promise<void> {
    const entry = this.cache.get(mailbox)!;
    // Never append after an earlier process's journal (its last line may be torn): fold it first.
    if (entry.fold) await this.compact(mailbox);
    await this.ensureDir(join(this.dir, 'checkpoints'));
    await this.files.append(journalPath(this.file(mailbox)), `${JSON.stringify(r)}\n`);
    entry.records += 1;
    if (entry.records >= JOURNAL_MAX_RECORDS) await this.compact(mailbox);
  }

  /**
   * Runs `fn` after the mailbox's earlier calls. A failure is classified here, as storage: left
   * to the engine, a file error (EACCES, ENOSPC) would be taken for an IMAP refusal.
   */
  private serial<T>(mailbox: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(mailbox) ?? Promise.resolve();
    const next = prev.then(fn, fn).catch((e: unknown) => {
      throw classify(e, 'storage');
    });
    this.chains.set(mailbox, next.catch(() => undefined));
    return next;
  }

  get(mailbox: string, sourcePath: string): Promise<FolderCheckpoint | undefined> {
    return this.serial(mailbox, async () => {
      const cp = (await this.load(mailbox)).folders[sourcePath];
      return cp ? structuredClone(cp) : undefined;
    });
  }

  list(mailbox: string): Promise<FolderCheckpoint[]> {
    return this.serial(mailbox, async () => Object.values((await this.load(mailbox)).folders).map((c) => structuredClone(c)));
  }

  private mapFile(mailbox: string, sourcePath: string): string {
    const h = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 40);
    return join(this.dir, 'uidmaps', h(mailbox), `${h(sourcePath)}.txt`);
  }

  /** Appends only: a torn last line after a crash is skipped when read. */
  appendUidMap(mailbox: string, sourcePath: string, destUidValidity: string, pairs: readonly (readonly [number, number])[]): Promise<void> {
    if (pairs.length === 0) return Promise.resolve();
    return this.serial(mailbox, async () => {
      const path = this.mapFile(mailbox, sourcePath);
      await this.ensureDir(join(path, '..'));
      await this.files.append(path, encodeUidPairs(destUidValidity, pairs));
    });
  }

  readUidMap(mailbox: string, sourcePath: string): Promise<UidMap | undefined> {
    return this.serial(mailbox, async () => {
      try {
        return decodeUidMap(await readFile(this.mapFile(mailbox, sourcePath), 'utf8'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    });
  }

  closedAt(mailbox: string): Promise<string | undefined> {
    return this.serial(mailbox, async () => (await this.load(mailbox)).closedAt);
  }

  markClosed(mailbox: string, at: string): Promise<void> {
    return this.serial(mailbox, async () => {
      (await this.load(mailbox)).closedAt = at;
      await this.record(mailbox, { closedAt: at });
    });
  }

  pausedUntil(mailbox: string): Promise<string | undefined> {
    return this.serial(mailbox, async () => (await this.load(mailbox)).pausedUntil);
  }

  pauseMailbox(mailbox: string, until: string): Promise<void> {
    return this.serial(mailbox, async () => {
      const ledger = await this.load(mailbox);
      if (ledger.pausedUntil && ledger.pausedUntil >= until) return;
      ledger.pausedUntil = until;
      await this.record(mailbox, { pausedUntil: until });
    });
  }

  put(mailbox: string, checkpoint: FolderCheckpoint): Promise<void> {
    return this.serial(mailbox, async () => {
      const ledger = await this.load(mailbox);
      const cp = structuredClone(checkpoint);
      ledger.folders[checkpoint.sourcePath] = cp;
      await this.record(mailbox, { f: checkpoint.sourcePath, cp });
    });
  }

  /** Closes the files kept open for appending (the process may also just exit: nothing is buffered). */
  close(): Promise<void> {
    return this.files.closeAll();
  }
}

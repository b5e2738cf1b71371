import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeUidMap, encodeUidPairs, type CheckpointStore, type UidMap } from '../../domain/checkpoints/checkpoint-store.js';
import { markForReconcile, type FolderCheckpoint } from '../../domain/checkpoints/folder-checkpoint.js';
import type { BudgetWindow } from '../../domain/budget/byte-budget.js';
import { classify } from '../../errors/classify.js';
import { AppendFiles } from './append-files.js';
import { sweepTemporaryFiles } from './stale-files.js';

interface LedgerFile {
  mailbox: string;
  folders: Record<string, FolderCheckpoint>;
  closedAt?: string;
  pausedUntil?: string;
  /** The byte budget's window; `v` counts its writes (the version a conditional write names). */
  budget?: { window: BudgetWindow; v: number };
  /**
   * Generation of the snapshot. A snapshot that has one always has a journal beside it (empty
   * after a fold), so a missing journal is a deleted one. Absent in ledgers written before: those
   * are read as before.
   */
  seq?: number;
}

/** One journal line: a folder's whole checkpoint, or the mailbox's closing, pause or budget window. */
type JournalRecord = { f: string; cp: FolderCheckpoint } | { closedAt: string } | { pausedUntil: string } | { budget: { window: BudgetWindow; v: number } };

/** Records after which the journal is folded into the snapshot. */
const JOURNAL_MAX_RECORDS = 256;


function isRecord(r: unknown): r is JournalRecord {
  if (typeof r !== 'object' || r === null) return false;
  const o = r as Record<string, unknown>;
  if (typeof o.f === 'string') return typeof o.cp === 'object' && o.cp !== null && typeof (o.cp as FolderCheckpoint).lastUid === 'number';
  if (typeof o.budget === 'object' && o.budget !== null) {
    const b = o.budget as { window?: Partial<BudgetWindow>; v?: unknown };
    return typeof b.v === 'number' && typeof b.window?.startedAt === 'string' && typeof b.window.bytes === 'number';
  }
  return typeof o.closedAt === 'string' || typeof o.pausedUntil === 'string';
}

/**
 * Applies journal text to a snapshot. Every record is a whole value (last one wins), so replaying
 * a journal over a snapshot that already holds it changes nothing. A line that cannot be read
 * (torn by a crash mid-write, zero-filled by a power loss, garbled) is skipped and reported:
 * the records after it still count.
 */
function replay(ledger: LedgerFile, journal: string): { badLines: number[] } {
  const out = { badLines: [] as number[] };
  journal.split('\n').forEach((line, i) => {
    if (line === '') return;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      r = undefined;
    }
    if (!isRecord(r)) out.badLines.push(i + 1);
    else if ('f' in r) ledger.folders[r.f] = r.cp;
    else if ('closedAt' in r) ledger.closedAt = r.closedAt;
    else if ('budget' in r) ledger.budget = r.budget;
    else ledger.pausedUntil = r.pausedUntil;
  });
  return out;
}

function parseSnapshot(text: string): LedgerFile | undefined {
  try {
    const l = JSON.parse(text) as unknown;
    if (typeof l === 'object' && l !== null && typeof (l as LedgerFile).folders === 'object' && (l as LedgerFile).folders !== null) return l as LedgerFile;
  } catch {
    /* reported by the caller */
  }
  return undefined;
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
  const ledger = (snap !== undefined ? parseSnapshot(snap) : undefined) ?? { mailbox: '', folders: {} };
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
 *
 * The ledger is a cache of the destination, not the truth: when part of it is lost (a bad
 * journal line, a deleted journal, an unreadable snapshot) the mailbox's folders are compared
 * with the destination on their next pass (markForReconcile, or no checkpoint at all), a
 * warning names the file and the mailbox pair, and the rest of the batch is not concerned.
 * Durability: a snapshot is fsynced before its rename; a journal line is fsynced only when it
 * opens an append window (inFlight, one per range) — the record a retry needs to compare
 * instead of append; other lines lost to a power cut are at most progress, found again at the
 * destination.
 */
export class FileCheckpointStore implements CheckpointStore {
  private readonly chains = new Map<string, Promise<unknown>>();
  /** `fold`: a journal from an earlier process was read (or the ledger was damaged); it is folded into the snapshot before the first write. */
  private readonly cache = new Map<string, { ledger: LedgerFile; records: number; fold: boolean }>();
  private readonly files = new AppendFiles();
  /** Directories already created by this process: a mkdir per write cost as much as the write. */
  private readonly madeDirs = new Set<string>();
  private swept = false;

  constructor(
    private readonly dir: string,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

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
    if (!this.swept) {
      this.swept = true;
      await sweepTemporaryFiles(join(this.dir, 'checkpoints'), /\.(\d+)\.tmp$/);
    }
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
    let ledger = snap !== undefined ? parseSnapshot(snap) : undefined;
    let damaged = false;
    if (snap !== undefined && !ledger) {
      damaged = true;
      this.warn(`ledger of ${mailbox}: snapshot ${path} is unreadable (truncated or corrupt); the mailbox starts without it and is compared with the destination`);
    }
    ledger ??= { mailbox, folders: {} };
    const journal = await read(journalPath(path));
    if (journal !== undefined) {
      const found = replay(ledger, journal);
      for (const line of found.badLines) this.warn(`ledger of ${mailbox}: ${journalPath(path)} line ${line} is unreadable (torn, zero-filled or garbled), skipped; the mailbox's folders are compared with the destination`);
      if (found.badLines.length > 0) damaged = true;
    } else if (ledger.seq !== undefined) {
      // A snapshot with a generation always has a journal beside it: this one was deleted.
      damaged = true;
      this.warn(`ledger of ${mailbox}: journal ${journalPath(path)} is missing; the mailbox's folders are compared with the destination`);
    }
    if (damaged) for (const cp of Object.values(ledger.folders)) markForReconcile(cp);
    this.cache.set(mailbox, { ledger, records: 0, fold: journal !== undefined || damaged });
    return ledger;
  }

  /**
   * Writes the snapshot (temporary file, fsync, rename, fsync of the directory: on disk before
   * the journal it holds is emptied), then empties the journal — kept, not deleted, so that a
   * journal is never missing beside a snapshot with a generation.
   */
  private async compact(mailbox: string): Promise<void> {
    const entry = this.cache.get(mailbox)!;
    const path = this.file(mailbox);
    await this.ensureDir(join(this.dir, 'checkpoints'));
    entry.ledger.seq = (entry.ledger.seq ?? 0) + 1;
    await writeDurably(`${path}.${process.pid}.tmp`, JSON.stringify(entry.ledger), path);
    await this.files.close(journalPath(path));
    await writeFile(journalPath(path), '');
    entry.records = 0;
    entry.fold = false;
  }

  private async record(mailbox: string, r: JournalRecord): Promise<void> {
    const entry = this.cache.get(mailbox)!;
    // Never append after an earlier process's journal (its last line may be torn): fold it first.
    if (entry.fold) await this.compact(mailbox);
    await this.ensureDir(join(this.dir, 'checkpoints'));
    await this.files.append(journalPath(this.file(mailbox)), `${JSON.stringify(r)}\n`, 'f' in r && r.cp.inFlight !== undefined);
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

  readBudget(mailbox: string): Promise<{ window?: BudgetWindow; version?: string }> {
    return this.serial(mailbox, async () => {
      const b = (await this.load(mailbox)).budget;
      return b ? { window: { ...b.window }, version: String(b.v) } : {};
    });
  }

  /** One process holds a mailbox pair's ledger (the CLI's lease): the version check is in-process, serialised with every other call. */
  writeBudget(mailbox: string, window: BudgetWindow, version: string | undefined): Promise<boolean> {
    return this.serial(mailbox, async () => {
      const ledger = await this.load(mailbox);
      if ((ledger.budget ? String(ledger.budget.v) : undefined) !== version) return false;
      ledger.budget = { window: { ...window }, v: (ledger.budget?.v ?? 0) + 1 };
      await this.record(mailbox, { budget: ledger.budget });
      return true;
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

/** Writes a file whole where no reader sees it half-written: a temporary file, fsynced, renamed over `path`, the rename fsynced. */
async function writeDurably(tmp: string, text: string, path: string): Promise<void> {
  const h = await open(tmp, 'w');
  try {
    await h.writeFile(text);
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, path);
  const d = await open(dirname(path), 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

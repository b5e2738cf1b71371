import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeUidMap, encodeUidPairs, type CheckpointStore, type UidMap } from '../../domain/checkpoints/checkpoint-store.js';
import type { FolderCheckpoint } from '../../domain/checkpoints/folder-checkpoint.js';

interface LedgerFile {
  mailbox: string;
  folders: Record<string, FolderCheckpoint>;
  closedAt?: string;
  pausedUntil?: string;
}

/**
 * The CLI's ledger: one JSON file per mailbox pair under STATE_DIR/checkpoints. Writes go to a
 * temporary file renamed over the old one, so a crash or Ctrl-C leaves either the old or the
 * new ledger, never half of one. Writes for one mailbox are serialised in-process.
 */
export class FileCheckpointStore implements CheckpointStore {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly cache = new Map<string, LedgerFile>();
  /** Directories already created by this process: a mkdir per write cost as much as the write. */
  private readonly madeDirs = new Set<string>();

  private async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  constructor(private readonly dir: string) {}

  private file(mailbox: string): string {
    return join(this.dir, 'checkpoints', `${createHash('sha256').update(mailbox).digest('hex').slice(0, 40)}.json`);
  }

  private async load(mailbox: string): Promise<LedgerFile> {
    const hit = this.cache.get(mailbox);
    if (hit) return hit;
    let ledger: LedgerFile;
    try {
      ledger = JSON.parse(await readFile(this.file(mailbox), 'utf8')) as LedgerFile;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      ledger = { mailbox, folders: {} };
    }
    this.cache.set(mailbox, ledger);
    return ledger;
  }

  private serial<T>(mailbox: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(mailbox) ?? Promise.resolve();
    const next = prev.then(fn, fn);
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
      await appendFile(path, encodeUidPairs(destUidValidity, pairs));
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
      await this.save(mailbox);
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
      await this.save(mailbox);
    });
  }

  put(mailbox: string, checkpoint: FolderCheckpoint): Promise<void> {
    return this.serial(mailbox, async () => {
      const ledger = await this.load(mailbox);
      ledger.folders[checkpoint.sourcePath] = structuredClone(checkpoint);
      await this.save(mailbox);
    });
  }

  private async save(mailbox: string): Promise<void> {
    {
      const ledger = await this.load(mailbox);
      const path = this.file(mailbox);
      await this.ensureDir(join(this.dir, 'checkpoints'));
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(ledger));
      await rename(tmp, path);
    }
  }
}

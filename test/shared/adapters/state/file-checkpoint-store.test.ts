import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppendFiles } from '../../../../shared/adapters/state/append-files.js';
import { FileCheckpointStore, readLedgerSync } from '../../../../shared/adapters/state/file-checkpoint-store.js';
import { emptyCheckpoint, type FolderCheckpoint } from '../../../../shared/domain/checkpoints/folder-checkpoint.js';
import { MigrationError } from '../../../../shared/errors/migration-error.js';

const MAILBOX = 'a@example.com->b@example.com';
const cp = (path: string, lastUid: number): FolderCheckpoint => ({ ...emptyCheckpoint(path, path, '7', '2026-01-01T00:00:00.000Z'), lastUid, copied: lastUid });
const stores: FileCheckpointStore[] = [];
const fresh = (dir: string): FileCheckpointStore => {
  const s = new FileCheckpointStore(dir);
  stores.push(s);
  return s;
};
const ledgerFiles = (dir: string): string[] => readdirSync(join(dir, 'checkpoints')).sort();

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

describe('FileCheckpointStore (snapshot + journal)', () => {
  it('a checkpoint written by one process is read by the next, which folds the journal into the snapshot before it first writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const a = fresh(dir);
    await a.put(MAILBOX, cp('INBOX', 10));
    await a.put(MAILBOX, cp('INBOX', 20));
    await a.put(MAILBOX, cp('Sent', 5));
    await a.markClosed(MAILBOX, '2026-02-01T00:00:00.000Z');
    // One write per change: only the journal exists so far.
    expect(ledgerFiles(dir)).toEqual([expect.stringMatching(/\.journal$/)]);
    await a.close();

    const b = fresh(dir);
    expect((await b.get(MAILBOX, 'INBOX'))?.lastUid).toBe(20);
    expect((await b.get(MAILBOX, 'Sent'))?.lastUid).toBe(5);
    expect(await b.closedAt(MAILBOX)).toBe('2026-02-01T00:00:00.000Z');
    // Reading writes nothing ...
    expect(ledgerFiles(dir)).toEqual([expect.stringMatching(/\.journal$/)]);
    // ... the first write folds the old journal into the snapshot and starts a new one.
    await b.put(MAILBOX, cp('Drafts', 1));
    const files = ledgerFiles(dir);
    expect(files.map((f) => f.replace(/^[0-9a-f]+/, ''))).toEqual(['.journal', '.json']);
    expect(readFileSync(join(dir, 'checkpoints', files.find((f) => f.endsWith('.journal'))!), 'utf8').trim().split('\n')).toHaveLength(1);
    await b.close();
    const c = fresh(dir);
    expect((await c.list(MAILBOX)).map((x) => `${x.sourcePath}:${x.lastUid}`).sort()).toEqual(['Drafts:1', 'INBOX:20', 'Sent:5']);
  });

  it('a torn last line (a crash mid-write) is the write that did not happen, and nothing appended later is lost behind it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const a = fresh(dir);
    await a.put(MAILBOX, cp('INBOX', 10));
    await a.close();
    const [journal] = ledgerFiles(dir);
    appendFileSync(join(dir, 'checkpoints', journal!), '{"f":"INBOX","cp":{"sourcePath":"INBOX","lastU');

    const b = fresh(dir);
    expect((await b.get(MAILBOX, 'INBOX'))?.lastUid).toBe(10);
    await b.put(MAILBOX, cp('INBOX', 30));
    await b.close();
    expect((await fresh(dir).get(MAILBOX, 'INBOX'))?.lastUid).toBe(30);
  });

  it('a journal left beside a snapshot that already holds it (a crash between rename and delete) replays to the same state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const a = fresh(dir);
    for (let uid = 1; uid <= 5; uid++) await a.put(MAILBOX, cp('INBOX', uid * 10));
    await a.close();
    const journalName = ledgerFiles(dir)[0]!;
    const journal = readFileSync(join(dir, 'checkpoints', journalName), 'utf8');
    // The next process folds it into the snapshot when it first writes ...
    const b = fresh(dir);
    await b.put(MAILBOX, cp('Sent', 3));
    await b.close();
    // ... (the snapshot already holds the record being written); had it died after the snapshot's
    // rename but before deleting the old journal, that journal would still be there beside it.
    writeFileSync(join(dir, 'checkpoints', journalName), journal);
    const c = fresh(dir);
    expect((await c.get(MAILBOX, 'INBOX'))?.lastUid).toBe(50);
    expect((await c.get(MAILBOX, 'Sent'))?.lastUid).toBe(3);
    expect(readLedgerSync(join(dir, 'checkpoints', journalName.replace(/\.journal$/, '.json')))?.folders.INBOX?.lastUid).toBe(50);
  });

  it('a long journal is folded into the snapshot as it goes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const a = fresh(dir);
    for (let uid = 1; uid <= 300; uid++) await a.put(MAILBOX, cp('INBOX', uid));
    const files = ledgerFiles(dir);
    expect(files.some((f) => f.endsWith('.json'))).toBe(true);
    const journal = files.find((f) => f.endsWith('.journal'));
    expect(journal ? readFileSync(join(dir, 'checkpoints', journal), 'utf8').trim().split('\n').length : 0).toBeLessThan(256);
    await a.close();
    expect((await fresh(dir).get(MAILBOX, 'INBOX'))?.lastUid).toBe(300);
  });

  it('UID maps append across processes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const a = fresh(dir);
    await a.appendUidMap(MAILBOX, 'INBOX', '9', [[1, 101], [2, 102]]);
    await a.close();
    const b = fresh(dir);
    await b.appendUidMap(MAILBOX, 'INBOX', '9', [[3, 103]]);
    expect([...((await b.readUidMap(MAILBOX, 'INBOX'))?.pairs ?? [])]).toEqual([[1, 101], [2, 102], [3, 103]]);
  });
});

describe('AppendFiles', () => {
  it('keeps at most maxOpen files open and loses no write when it closes one to open another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'append-'));
    const files = new AppendFiles(2);
    const writes: Promise<void>[] = [];
    for (let round = 0; round < 20; round++) for (const name of ['a', 'b', 'c', 'd']) writes.push(files.append(join(dir, name), `${round}\n`));
    await Promise.all(writes);
    // Evicted files close after their last write: give those closes a moment, then count.
    const openInDir = (): number => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
      } catch {
        return false;
      }
    }).length;
    for (let i = 0; i < 100 && openInDir() > 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(openInDir()).toBeLessThanOrEqual(2);
    expect(openInDir()).toBeGreaterThan(0);
    await files.closeAll();
    expect(openInDir()).toBe(0);
    const expected = `${Array.from({ length: 20 }, (_, i) => i).join('\n')}\n`;
    for (const name of ['a', 'b', 'c', 'd']) expect(readFileSync(join(dir, name), 'utf8')).toBe(expected);
    expect(existsSync(join(dir, 'e'))).toBe(false);
  });
});

describe('FileCheckpointStore errors', () => {
  it('a ledger that cannot be written fails as a storage error, never as an IMAP one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    // A file where the checkpoints folder must go: every write fails with ENOTDIR or EEXIST.
    writeFileSync(join(dir, 'checkpoints'), 'not a folder');
    const err = await fresh(dir).put(MAILBOX, cp('INBOX', 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).message).toMatch(/^storage: /);
    expect((err as MigrationError).code).not.toMatch(/^IMAP_/);
  });
});

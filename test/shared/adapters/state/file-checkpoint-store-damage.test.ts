import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCheckpointStore } from '../../../../shared/adapters/state/file-checkpoint-store.js';
import { emptyCheckpoint, type FolderCheckpoint } from '../../../../shared/domain/checkpoints/folder-checkpoint.js';

const MAILBOX = 'a@example.com->b@example.com';
const OTHER = 'c@example.com->d@example.com';
const SECRET_SUBJECT = 'Confidential merger';
const cp = (path: string, lastUid: number): FolderCheckpoint => ({
  ...emptyCheckpoint(path, path, '7', '2026-01-01T00:00:00.000Z'),
  lastUid,
  copied: lastUid,
  lastStatus: { messages: lastUid, uidNext: lastUid + 1, uidValidity: '7' },
  failed: [{ uid: 1, size: 10, code: 'X', reason: 'refused', subject: SECRET_SUBJECT }],
});
const stores: FileCheckpointStore[] = [];
const warnings: string[] = [];
const fresh = (dir: string): FileCheckpointStore => {
  const s = new FileCheckpointStore(dir, (m) => warnings.push(m));
  stores.push(s);
  return s;
};
const files = (dir: string, ext: string): string[] => readdirSync(join(dir, 'checkpoints')).filter((f) => f.endsWith(ext)).map((f) => join(dir, 'checkpoints', f));

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  warnings.length = 0;
});

/** A ledger of MAILBOX with INBOX, Sent and Drafts; OTHER beside it untouched. Returns its journal path. */
async function ledgerWithJournal(dir: string): Promise<string> {
  const a = fresh(dir);
  await a.put(OTHER, cp('INBOX', 99));
  await a.put(MAILBOX, cp('INBOX', 10));
  await a.put(MAILBOX, cp('Sent', 5));
  await a.put(MAILBOX, cp('INBOX', 20));
  await a.put(MAILBOX, cp('Drafts', 3));
  await a.close();
  stores.splice(0);
  const journals = files(dir, '.journal');
  return journals.find((j) => readFileSync(j, 'utf8').includes('Drafts'))!;
}

const reconciling = (c: FolderCheckpoint | undefined): boolean => c !== undefined && c.dedupeFromDestUid === 1 && c.reconcile !== undefined && c.lastStatus === undefined;

describe('FileCheckpointStore when its files are damaged', () => {
  it('a torn line in the middle of the journal: every record around it is kept, the line is named (file, line, mailbox pair, no content), and the folders are compared with the destination', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const journal = await ledgerWithJournal(dir);
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines[1] = lines[1]!.slice(0, 40); // the second record (Sent) torn
    writeFileSync(journal, lines.join('\n'));

    const b = fresh(dir);
    expect((await b.get(MAILBOX, 'INBOX'))?.lastUid).toBe(20);
    expect((await b.get(MAILBOX, 'Drafts'))?.lastUid).toBe(3);
    expect(await b.get(MAILBOX, 'Sent')).toBeUndefined();
    expect(reconciling(await b.get(MAILBOX, 'INBOX'))).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(journal);
    expect(warnings[0]).toContain('line 2');
    expect(warnings[0]).toContain(MAILBOX);
    expect(warnings.join('\n')).not.toContain(SECRET_SUBJECT);
    // The other mailbox is not concerned.
    expect(reconciling(await b.get(OTHER, 'INBOX'))).toBe(false);
    expect((await b.get(OTHER, 'INBOX'))?.lastStatus).toBeDefined();
  });

  it('a garbled line (valid JSON of the wrong shape) is skipped like a torn one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const journal = await ledgerWithJournal(dir);
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines.splice(1, 0, '{"f":"INBOX","cp":null}', '[1,2,3]');
    writeFileSync(journal, lines.join('\n'));
    const b = fresh(dir);
    expect((await b.get(MAILBOX, 'INBOX'))?.lastUid).toBe(20);
    expect((await b.get(MAILBOX, 'Sent'))?.lastUid).toBe(5);
    expect(warnings.map((w) => /line (\d+)/.exec(w)?.[1])).toEqual(['2', '3']);
  });

  it('a zero-filled journal (a power cut): the snapshot stands, its folders are compared with the destination, and the first write leaves a readable ledger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    const a = fresh(dir);
    await a.put(MAILBOX, cp('INBOX', 10));
    await a.close();
    // The next process folds it into a snapshot, then journals more.
    const b = fresh(dir);
    await b.put(MAILBOX, cp('Sent', 4));
    await b.put(MAILBOX, cp('INBOX', 30));
    await b.close();
    const journal = files(dir, '.journal')[0]!;
    writeFileSync(journal, Buffer.alloc(readFileSync(journal).length));

    const c = fresh(dir);
    expect((await c.get(MAILBOX, 'INBOX'))?.lastUid).toBe(10);
    expect(reconciling(await c.get(MAILBOX, 'INBOX'))).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('line 1');
    await c.put(MAILBOX, { ...(await c.get(MAILBOX, 'INBOX'))!, lastUid: 31 });
    await c.close();
    warnings.length = 0;
    const d = fresh(dir);
    expect((await d.get(MAILBOX, 'INBOX'))?.lastUid).toBe(31);
    // The mark lasts until a pass finishes the folder (finishFolderPass clears it).
    expect(reconciling(await d.get(MAILBOX, 'INBOX'))).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('a deleted journal beside a snapshot is noticed: its folders are compared with the destination', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    await ledgerWithJournal(dir);
    const b = fresh(dir);
    await b.put(MAILBOX, cp('Junk', 1)); // folds: a snapshot with a generation, and its journal
    await b.close();
    const journal = files(dir, '.journal').find((j) => readFileSync(j, 'utf8').includes('Junk'))!;
    rmSync(journal);

    const c = fresh(dir);
    expect((await c.get(MAILBOX, 'INBOX'))?.lastUid).toBe(20);
    expect(reconciling(await c.get(MAILBOX, 'INBOX'))).toBe(true);
    expect(warnings).toEqual([expect.stringContaining(`${journal} is missing`)]);
    expect(warnings[0]).toContain(MAILBOX);
    expect(reconciling(await c.get(OTHER, 'INBOX'))).toBe(false);
  });

  it('a ledger read again after a fold, and an old ledger without a generation, warn of nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    await ledgerWithJournal(dir);
    const b = fresh(dir);
    await b.put(MAILBOX, cp('Junk', 1));
    await b.close();
    const c = fresh(dir);
    expect(reconciling(await c.get(MAILBOX, 'INBOX'))).toBe(false);
    // A snapshot written before generations, alone: read as before.
    const snapshot = files(dir, '.json').find((j) => readFileSync(j, 'utf8').includes('Junk'))!;
    const old = JSON.parse(readFileSync(snapshot, 'utf8')) as Record<string, unknown>;
    delete old.seq;
    writeFileSync(snapshot, JSON.stringify(old));
    rmSync(snapshot.replace(/\.json$/, '.journal'));
    const d = fresh(dir);
    expect(reconciling(await d.get(MAILBOX, 'INBOX'))).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('a truncated snapshot makes that one mailbox start without it (named in a warning), never aborts, and the first write replaces it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    await ledgerWithJournal(dir);
    const b = fresh(dir);
    await b.put(MAILBOX, cp('Junk', 1));
    await b.put(OTHER, cp('Sent', 7));
    await b.close();
    const snapshot = files(dir, '.json').find((j) => readFileSync(j, 'utf8').includes('Junk'))!;
    writeFileSync(snapshot, readFileSync(snapshot, 'utf8').slice(0, 100));

    const c = fresh(dir);
    // Only what its journal recorded since that snapshot remains, to be compared with the destination too.
    expect((await c.list(MAILBOX)).map((x) => [x.sourcePath, reconciling(x)])).toEqual([['Junk', true]]);
    expect(warnings).toEqual([expect.stringContaining(snapshot)]);
    expect(warnings[0]).toContain(MAILBOX);
    expect((await c.get(OTHER, 'INBOX'))?.lastUid).toBe(99);
    await c.put(MAILBOX, cp('INBOX', 2));
    await c.close();
    warnings.length = 0;
    expect((await fresh(dir).list(MAILBOX)).map((x) => x.sourcePath).sort()).toEqual(['INBOX', 'Junk']);
    expect(warnings).toEqual([]);
  });

  it('temporary files of a dead writer are removed; those of a live one are left alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    await ledgerWithJournal(dir);
    const dead = join(dir, 'checkpoints', `0123.json.${2 ** 22 + 12345}.tmp`);
    const live = join(dir, 'checkpoints', `4567.json.${process.ppid}.tmp`);
    writeFileSync(dead, '{"half":');
    writeFileSync(live, '{"half":');
    await fresh(dir).get(MAILBOX, 'INBOX');
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});

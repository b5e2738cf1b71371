import { describe, expect, it } from 'vitest';
import { emptyCheckpoint, type FolderCheckpoint } from '../../../../shared/domain/checkpoints/folder-checkpoint.js';
import { MigrationError } from '../../../../shared/errors/migration-error.js';
import { RangeProgress, type ProgressStore } from '../../../../shared/engine/copy-range/range-progress.js';

const place = { mailbox: 'a->b', sourcePath: 'INBOX', destinationPath: 'Inbox' };

/** A store that logs each write (a copy of what was written) and lets the test decide when a put ends. */
function store(opts: { holdFirstPut?: boolean; failPuts?: boolean; failMap?: boolean } = {}): ProgressStore & { writes: { kind: string; cp?: FolderCheckpoint; pairs?: [number, number][] }[]; releaseFirstPut(): void } {
  const writes: { kind: string; cp?: FolderCheckpoint; pairs?: [number, number][] }[] = [];
  let releaseFirstPut = (): void => undefined;
  let puts = 0;
  return {
    writes,
    releaseFirstPut: () => releaseFirstPut(),
    put: async (_mailbox, cp) => {
      puts += 1;
      if (puts === 1 && opts.holdFirstPut) await new Promise<void>((r) => (releaseFirstPut = r));
      writes.push({ kind: 'put', cp: structuredClone(cp) });
      if (opts.failPuts) throw new Error('store down');
    },
    appendUidMap: async (_mailbox, _path, _v, pairs) => {
      writes.push({ kind: 'map', pairs: pairs.map(([s, d]) => [s, d]) });
      if (opts.failMap) throw new Error('store down');
    },
  };
}

const checkpoint = (lastUid = 0): FolderCheckpoint => ({ ...emptyCheckpoint('INBOX', 'Old', '1', '2026-01-01T00:00:00.000Z'), lastUid });
const queued = (uid: number, size = 100, source?: Buffer) => ({ uid, size, dropped: 0, appended: Promise.resolve(undefined), ...(source ? { source } : {}) });

describe('RangeProgress', () => {
  it('starts after the checkpoint and reports a range entirely at or below it as having nothing left', () => {
    const p = new RangeProgress(store(), place, checkpoint(5), { fromUid: 1, toUid: 10 });
    expect(p.from).toBe(6);
    expect(p.nothingLeft).toBe(false);
    expect(new RangeProgress(store(), place, checkpoint(9), { fromUid: 1, toUid: 10 }).nothingLeft).toBe(false);
    const repeated = new RangeProgress(store(), place, checkpoint(12), { fromUid: 1, toUid: 10 });
    expect(repeated.nothingLeft).toBe(true);
    expect(repeated.result).toEqual({ status: 'copied', copied: 0, copiedBytes: 0, alreadyPresent: 0, skipped: 0, failed: 0, vanished: 0, lastUid: 12 });
  });

  it('skips messages over the size limit with their reason and keeps the rest in order', () => {
    const p = new RangeProgress(store(), place, checkpoint(), { fromUid: 1, toUid: 10 });
    const kept = p.skipTooLarge([{ uid: 1, size: 10 }, { uid: 2, size: 11 }, { uid: 3, size: 10 }], 10);
    expect(kept.map((m) => m.uid)).toEqual([1, 3]);
    expect(p.result.skipped).toBe(1);
    expect(p.cp.skippedCount).toBe(1);
    expect(p.cp.skipped).toEqual([{ uid: 2, size: 11, code: 'MESSAGE_TOO_LARGE', reason: '11 bytes is over MAX_MESSAGE_BYTES (10)' }]);
  });

  it('puts the window on record before the first APPEND, without waiting for the write to record it', async () => {
    const s = store({ holdFirstPut: true });
    const p = new RangeProgress(s, place, checkpoint(3), { fromUid: 1, toUid: 10 });
    p.recordWindow('77', 40);
    let appendMayStart = false;
    const before = p.beforeAppend().then(() => (appendMayStart = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(appendMayStart).toBe(false);
    s.releaseFirstPut();
    await before;
    expect(s.writes).toEqual([{ kind: 'put', cp: expect.objectContaining({ destinationPath: 'Inbox', lastUid: 3, inFlight: { fromUid: 4, toUid: 10, destUidValidity: '77', destUidNext: 40 } }) }]);
  });

  it('records the window as it stood, not what the range counted while the write was going on', async () => {
    const s = store({ holdFirstPut: true });
    const p = new RangeProgress(s, place, checkpoint(), { fromUid: 1, toUid: 10 });
    p.recordWindow('77', 40);
    p.skipTooLarge([{ uid: 1, size: 99 }], 10);
    s.releaseFirstPut();
    await p.beforeAppend();
    expect(s.writes[0]!.cp!.skippedCount).toBe(0);
  });

  it('refuses to let an APPEND start when the window could not be recorded', async () => {
    const p = new RangeProgress(store({ failPuts: true }), place, checkpoint(), { fromUid: 1, toUid: 10 });
    p.recordWindow('77', 40);
    await expect(p.beforeAppend()).rejects.toThrow('store down');
  });

  it('counts stored, found and refused messages alike in the checkpoint and the result, with the refused subject', () => {
    const p = new RangeProgress(store(), place, checkpoint(), { fromUid: 1, toUid: 10 });
    p.stored({ ...queued(1, 100), dropped: 2 }, { uid: 501 });
    p.stored(queued(2, 50), {});
    p.alreadyPresent(3, 503);
    p.refused(queued(4, 7, Buffer.from('Subject: Hi there\r\n\r\nbody')), new MigrationError('MESSAGE_REJECTED', 'permanent', 'malformed'));
    expect(p.result).toEqual({ status: 'copied', copied: 2, copiedBytes: 150, alreadyPresent: 1, skipped: 0, failed: 1, vanished: 0, lastUid: 10 });
    expect(p.cp).toMatchObject({ copied: 2, copiedBytes: 150, alreadyPresent: 1, failedCount: 1, droppedKeywords: 2 });
    expect(p.cp.failed).toEqual([{ uid: 4, size: 7, code: 'MESSAGE_REJECTED', reason: 'malformed', subject: 'Hi there' }]);
  });

  it('writes the UID pairs before the checkpoint, after the window record, and marks a finished range done', async () => {
    const s = store({ holdFirstPut: true });
    const p = new RangeProgress(s, place, checkpoint(), { fromUid: 1, toUid: 10 });
    p.recordWindow('77', 40);
    p.stored(queued(1), { uid: 41 });
    p.alreadyPresent(2, 40);
    p.complete();
    const saved = p.save('77');
    await new Promise((r) => setTimeout(r, 5));
    expect(s.writes).toEqual([]);
    s.releaseFirstPut();
    await saved;
    expect(s.writes.map((w) => w.kind)).toEqual(['put', 'map', 'put']);
    expect(s.writes[1]!.pairs).toEqual([[1, 41], [2, 40]]);
    expect(s.writes[2]!.cp).toMatchObject({ lastUid: 10 });
    expect(s.writes[2]!.cp!.inFlight).toBeUndefined();
  });

  it('keeps the window for the retry and only what is certain when the range was interrupted', async () => {
    const s = store();
    const p = new RangeProgress(s, place, checkpoint(2), { fromUid: 1, toUid: 10 });
    p.recordWindow('77', 40);
    p.interrupted(6);
    await p.save('77');
    expect(s.writes.at(-1)!.cp).toMatchObject({ lastUid: 6, inFlight: { fromUid: 3, toUid: 10, destUidValidity: '77', destUidNext: 40 } });
  });

  it('never moves the checkpoint back when interrupted', () => {
    const p = new RangeProgress(store(), place, checkpoint(8), { fromUid: 1, toUid: 10 });
    p.interrupted(3);
    expect(p.cp.lastUid).toBe(8);
  });

  it('does not turn a store failure while saving into the range failing', async () => {
    const s = store({ failPuts: true, failMap: true });
    const p = new RangeProgress(s, place, checkpoint(), { fromUid: 1, toUid: 10 });
    p.recordWindow('77', 40);
    p.complete();
    await expect(p.save('77')).resolves.toBeUndefined();
    expect(s.writes.map((w) => w.kind)).toEqual(['put', 'map', 'put']);
  });
});

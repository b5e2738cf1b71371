import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bulkCorpus } from '../../lab/corpus.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import type { CommandRecord } from '../../lab/fault-proxy-connection.js';
import { getLab, type LabInfo } from '../../lab/lab-info.js';
import { runThroughEngine } from '../../support/engine-run.js';
import { expectExactCopy } from '../../support/expect-copy.js';
import { seededPair } from '../../support/lab-mailbox.js';

/**
 * Where a first pass waits for the server, counted on the wire (proxies in front of both lab
 * servers): commands that could go together go together, and a connection that is already
 * logged in is used rather than a new login. On Exchange, tens of milliseconds away, each of
 * these waits is a round trip per folder or per mailbox.
 */

let lab: LabInfo;
const proxies: FaultProxy[] = [];
const proxy = async (server: 'source' | 'destination'): Promise<FaultProxy> => {
  const p = await FaultProxy.forLab(lab, server);
  proxies.push(p);
  return p;
};
/** Sent before `other` was answered: both were in flight together. */
const together = (a: CommandRecord, other: CommandRecord): boolean => a.at <= (other.doneAt ?? Number.POSITIVE_INFINITY) && other.at <= (a.doneAt ?? Number.POSITIVE_INFINITY);

describe('round trips of a first pass', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });

  it('creates the destination folders a depth at a time, each depth in one round, parents before children', async () => {
    const address = await seededPair(lab, 'rt-create', bulkCorpus(12, { folders: 4, bodyBytes: 300, seed: 'rt-create' }));
    const dst = await proxy('destination');
    const run = await runThroughEngine(lab, [address], { destination: dst });
    await expectExactCopy(lab, address, run);
    const creates = dst.commands.filter((c) => c.name === 'CREATE');
    const parent = creates.find((c) => c.args === '"Bulk"');
    const children = creates.filter((c) => c.args.startsWith('"Bulk/'));
    expect(parent).toBeDefined();
    expect(children).toHaveLength(4);
    // The four subfolders went out together, after their parent was answered.
    expect(dst.stats().maxInFlightByCommand.CREATE).toBe(4);
    for (const c of children) expect(c.at).toBeGreaterThanOrEqual(parent!.doneAt!);
  });

  it('plans a small folder with its EXAMINE and metadata FETCH sent together', async () => {
    const address = await seededPair(lab, 'rt-plan', bulkCorpus(10, { folders: 2, bodyBytes: 300, seed: 'rt-plan' }));
    const src = await proxy('source');
    const run = await runThroughEngine(lab, [address], { source: src });
    await expectExactCopy(lab, address, run);
    const examines = src.commands.filter((c) => c.name === 'EXAMINE' && c.args.startsWith('"Bulk/'));
    expect(examines).toHaveLength(2);
    for (const e of examines) {
      const plan = src.commands.find((c) => c.connection === e.connection && c.name === 'UID FETCH' && /^1:\* \(UID FLAGS INTERNALDATE RFC822\.SIZE\)$/.test(c.args) && c.at >= e.at);
      expect(plan, `no plan FETCH after EXAMINE ${e.args}`).toBeDefined();
      expect(together(plan!, e)).toBe(true);
    }
  });

  it("copies a small folder's range with the plan's metadata (no second metadata FETCH), its bodies asked for before the destination's SELECT is answered", async () => {
    const address = await seededPair(lab, 'rt-rows', [{ path: 'INBOX', messages: bulkCorpus(9, { folders: 1, bodyBytes: 300, seed: 'rt-rows' })[0]!.messages }]);
    const src = await proxy('source');
    const dst = await proxy('destination');
    dst.addFault({ on: { name: 'SELECT', times: 100 }, action: { kind: 'delay', ms: 150 } });
    const run = await runThroughEngine(lab, [address], { source: src, destination: dst, roundTripMs: 0 });
    await expectExactCopy(lab, address, run);
    const inbox = (c: CommandRecord): boolean => src.commands.some((e) => e.connection === c.connection && e.name === 'EXAMINE' && e.args.startsWith('"INBOX"') && e.at <= c.at);
    const metadata = src.commands.filter((c) => c.name === 'UID FETCH' && /RFC822\.SIZE\)$/.test(c.args) && inbox(c));
    const bodies = src.commands.filter((c) => c.name === 'UID FETCH' && !/RFC822\.SIZE\)$/.test(c.args) && inbox(c));
    expect(metadata.map((c) => c.args)).toEqual(['1:* (UID FLAGS INTERNALDATE RFC822.SIZE)']);
    expect(bodies).toHaveLength(1);
    const select = dst.commands.find((c) => c.name === 'SELECT' && c.args.startsWith('"INBOX"'))!;
    expect(bodies[0]!.at).toBeLessThan(select.doneAt!);
  });

  it('ends each folder with a STATUS only where it appended (an empty folder ends with what the round saw), on the connection that appended (no second login)', async () => {
    // One folder with mail; the destination's own special-use folders are empty at the source.
    const address = await seededPair(lab, 'rt-finish', [{ path: 'INBOX', messages: bulkCorpus(8, { folders: 1, bodyBytes: 300, seed: 'rt-finish' })[0]!.messages }]);
    const dst = await proxy('destination');
    // Near, as the lab is (a loaded machine can make a loopback connect look far: workers would then open ahead).
    const run = await runThroughEngine(lab, [address], { destination: dst, roundTripMs: 0 });
    await expectExactCopy(lab, address, run);
    const folders = run.report.mailboxes[0]!.folders;
    expect(folders.length).toBeGreaterThan(1);
    expect(folders.filter((f) => f.copiedThisPass > 0).map((f) => f.sourcePath)).toEqual(['INBOX']);
    const statuses = dst.commands.filter((c) => c.name === 'STATUS');
    // One pipelined round before the copy (every folder), then INBOX's alone as its pass ends.
    expect(statuses).toHaveLength(folders.length + 1);
    expect(statuses.at(-1)!.args).toMatch(/^"INBOX"/);
    expect(dst.stats().connections).toBe(1);
  });

  it('on a far server, starts the other folder workers\' logins once the folders are listed, before creating them and asking their STATUS', async () => {
    const address = await seededPair(lab, 'rt-ahead', bulkCorpus(12, { folders: 3, bodyBytes: 300, seed: 'rt-ahead' }));
    const src = await proxy('source');
    // A slow destination: creating its folders takes a few round trips, time the logins can use.
    const dst = await proxy('destination');
    dst.setLatency(100);
    const run = await runThroughEngine(lab, [address], { source: src, destination: dst, roundTripMs: 60 });
    await expectExactCopy(lab, address, run);
    const firstStatus = src.commands.find((c) => c.name === 'STATUS')!;
    const logins = src.commands.filter((c) => c.name === 'AUTHENTICATE' || c.name === 'LOGIN');
    // MAX_CONNECTIONS_PER_MAILBOX (3) workers: the first one's login, and the other two's, all before the STATUS round.
    expect(logins.length).toBeGreaterThanOrEqual(3);
    expect(logins.filter((l) => l.at < firstStatus.at)).toHaveLength(3);
  });

  it('on a far server, a folder worker appends over the connection that prepared the mailbox rather than wait for a login opened ahead', async () => {
    // One folder with messages among the mailbox's several: workers are opened ahead for the
    // folders listed (their sizes are not known yet), one copies.
    const address = await seededPair(lab, 'rt-appender', bulkCorpus(30, { folders: 1, bodyBytes: 300, seed: 'rt-appender' }));
    const dst = await proxy('destination');
    // Logins at the destination are slow: the ones opened ahead are not done when the folder starts.
    dst.addFault({ on: { name: 'AUTHENTICATE', times: 100 }, action: { kind: 'delay', ms: 800 } });
    const run = await runThroughEngine(lab, [address], { destination: dst, roundTripMs: 60 });
    await expectExactCopy(lab, address, run);
    const listedOn = dst.commands.find((c) => c.name === 'LIST')!.connection;
    const statusRound = dst.commands.find((c) => c.name === 'STATUS')!;
    const firstSelect = dst.commands.find((c) => c.name === 'SELECT')!;
    // Its APPENDs go over the connection that listed the folders, selected at once.
    expect(firstSelect.connection).toBe(listedOn);
    expect(firstSelect.at - statusRound.doneAt!).toBeLessThan(400);
    expect(dst.commands.find((c) => c.name === 'APPEND')!.connection).toBe(listedOn);
  });

  it('sends a range\'s next body FETCH while the APPENDs of the bodies before it are still unanswered', async () => {
    // 260 messages in one range: two FETCH batches (200 + 60). APPEND answers are slowed.
    const address = await seededPair(lab, 'rt-overlap', bulkCorpus(260, { folders: 1, bodyBytes: 200, seed: 'rt-overlap' }));
    const src = await proxy('source');
    const dst = await proxy('destination');
    dst.addFault({ on: { name: 'APPEND', times: 1000 }, action: { kind: 'delay', ms: 120 } });
    const run = await runThroughEngine(lab, [address], { source: src, destination: dst, settings: { RANGE_MAX_MESSAGES: '500' } });
    await expectExactCopy(lab, address, run);
    // Body FETCHes name their UIDs one by one (the proxy keeps only the start of a long line); metadata FETCHes end with their items.
    const bodies = src.commands.filter((c) => c.name === 'UID FETCH' && !/RFC822\.SIZE\)$/.test(c.args));
    expect(bodies).toHaveLength(2);
    const appends = dst.commands.filter((c) => c.name === 'APPEND');
    const lastAnswer = Math.max(...appends.map((a) => a.doneAt ?? 0));
    // The second FETCH went out before the destination had answered every APPEND of the first batch.
    expect(bodies[1]!.at).toBeLessThan(lastAnswer);
    const firstBatchDone = appends.filter((a) => a.at < bodies[1]!.at).map((a) => a.doneAt ?? 0);
    expect(Math.max(...firstBatchDone)).toBeGreaterThan(bodies[1]!.at);
  });
});

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
/** Each of the folders Bulk/001 to Bulk/`n`, from its EXAMINE at the source to its last APPEND's answer at the destination. */
const folderSpans = (src: FaultProxy, dst: FaultProxy, n: number): { from: number; to: number }[] =>
  Array.from({ length: n }, (_, i) => `"Bulk/${String(i + 1).padStart(3, '0')}"`).map((f) => {
    const examine = src.commands.find((c) => c.name === 'EXAMINE' && c.args.startsWith(f))!;
    const appends = dst.commands.filter((c) => c.name === 'APPEND' && c.args.startsWith(f));
    return { from: examine.at, to: Math.max(...appends.map((c) => c.doneAt!)) };
  });
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

  it('ends each folder with a STATUS only where it appended (an empty folder ends with what was seen before the copy), on the connection that appended (no second login)', async () => {
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
    // Before the copy, none of their own (the lab's destination answers them within LIST, and a
    // folder created is asked with its CREATE); then INBOX's alone as its pass ends.
    expect(statuses).toHaveLength(dst.commands.filter((c) => c.name === 'CREATE').length + 1);
    expect(statuses.at(-1)!.args).toMatch(/^"INBOX"/);
    // Asked once its APPENDs were answered: a server may run a STATUS beside APPENDs in progress.
    const appends = dst.commands.filter((c) => c.name === 'APPEND');
    expect(statuses.at(-1)!.at).toBeGreaterThanOrEqual(Math.max(...appends.map((c) => c.doneAt!)));
    expect(dst.stats().connections).toBe(1);
  });

  it("on a far server, asks the source's STATUS while the destination's folders are created, and starts the other workers' logins from its answers", async () => {
    const address = await seededPair(lab, 'rt-ahead', bulkCorpus(12, { folders: 3, bodyBytes: 300, seed: 'rt-ahead' }));
    const src = await proxy('source');
    // A slow destination: creating its folders takes a few round trips, time the logins can use.
    const dst = await proxy('destination');
    dst.setLatency(100);
    const run = await runThroughEngine(lab, [address], { source: src, destination: dst, roundTripMs: 60 });
    await expectExactCopy(lab, address, run);
    const sourceRound = src.commands.filter((c) => c.name === 'STATUS');
    const lastCreate = dst.commands.filter((c) => c.name === 'CREATE').at(-1)!;
    const destinationRound = dst.commands.find((c) => c.name === 'STATUS')!;
    // The source's round went before the destination's folders were all created, in one round trip.
    expect(sourceRound.length).toBeGreaterThan(0);
    for (const c of sourceRound) expect(c.at).toBeLessThan(lastCreate.doneAt!);
    expect(Math.max(...sourceRound.map((c) => c.at))).toBeLessThan(Math.min(...sourceRound.map((c) => c.doneAt!)));
    const logins = src.commands.filter((c) => c.name === 'AUTHENTICATE' || c.name === 'LOGIN');
    // Three folders hold mail: MAX_CONNECTIONS_PER_MAILBOX (3) workers. The first one's login,
    // then the other two's, sent once the round was answered and before the destination's round.
    const answered = Math.max(...sourceRound.map((c) => c.doneAt!));
    expect(logins).toHaveLength(3);
    expect(logins.filter((l) => l.at >= answered && l.at < destinationRound.at)).toHaveLength(2);
  });

  it('on a far server, opens no other worker for a mailbox whose mail is in one folder, however many folders it lists', async () => {
    // Mail in one folder; four more folders, empty, and the destination's own special-use folders.
    const folders = [{ path: 'INBOX', messages: bulkCorpus(20, { folders: 1, bodyBytes: 300, seed: 'rt-one' })[0]!.messages }, ...['Drafts', 'Notes', 'Old', 'Old/2019'].map((path) => ({ path, messages: [] }))];
    const address = await seededPair(lab, 'rt-one', folders);
    const src = await proxy('source');
    const dst = await proxy('destination');
    const run = await runThroughEngine(lab, [address], { source: src, destination: dst, roundTripMs: 60 });
    await expectExactCopy(lab, address, run);
    expect(run.report.mailboxes[0]!.folders.length).toBeGreaterThanOrEqual(5);
    const logins = (p: FaultProxy): number => p.commands.filter((c) => c.name === 'AUTHENTICATE' || c.name === 'LOGIN').length;
    // One login per side copies it (and the destination's closing STATUS goes on the connection that appended).
    expect(logins(src)).toBe(1);
    expect(logins(dst)).toBe(1);
  });

  it("on a far server, a folder whose bodies have all arrived frees its worker: the next folder starts during its last APPENDs' answers, on the connections it gives back", async () => {
    const address = await seededPair(lab, 'rt-handover', bulkCorpus(90, { folders: 9, bodyBytes: 300, seed: 'rt-handover' }));
    const src = await proxy('source');
    const dst = await proxy('destination');
    // Slow APPEND answers: each folder's tail is long enough to see who goes on meanwhile.
    dst.addFault({ on: { name: 'APPEND', times: 1000 }, action: { kind: 'delay', ms: 150 } });
    const run = await runThroughEngine(lab, [address], { source: src, destination: dst, roundTripMs: 60 });
    await expectExactCopy(lab, address, run);
    const spans = folderSpans(src, dst, 9);
    const overlapping = (t: number): number => spans.filter((x) => x.from <= t && t < x.to).length;
    // Three workers (MAX_CONNECTIONS_PER_MAILBOX): a fourth folder was under way while three still awaited answers.
    expect(Math.max(...spans.map((x) => overlapping(x.from)))).toBeGreaterThan(3);
    const logins = (p: FaultProxy): number => p.commands.filter((c) => c.name === 'AUTHENTICATE' || c.name === 'LOGIN').length;
    // No login for each folder started early: three workers' source connections, and at the
    // destination their three APPEND connections and the one opened ahead for closing STATUSes
    // (one more allowed: a wait for a tail may run out on a loaded machine). Without waiting for
    // the APPEND connections given back, each of the six folders started early logs in its own.
    expect(logins(src)).toBe(3);
    expect(logins(dst)).toBeLessThanOrEqual(5);
  });

  it("on a far server, a folder larger than the hand-over's bound keeps its worker until its APPENDs are answered", async () => {
    // Four folders of ~5 MB each (over HAND_OVER_MAX_BYTES, too few for lanes) on three workers.
    const address = await seededPair(lab, 'rt-keeps', bulkCorpus(40, { folders: 4, bodyBytes: 500_000, seed: 'rt-keeps' }));
    const src = await proxy('source');
    const dst = await proxy('destination');
    dst.addFault({ on: { name: 'APPEND', times: 1000 }, action: { kind: 'delay', ms: 150 } });
    const run = await runThroughEngine(lab, [address], { source: src, destination: dst, roundTripMs: 60 });
    await expectExactCopy(lab, address, run);
    const spans = folderSpans(src, dst, 4);
    // The fourth folder starts only once one of the first three had its last APPEND answered:
    // never more folders under way than workers (with every folder handing over, four were).
    const fourth = spans.reduce((a, b) => (b.from > a.from ? b : a));
    expect(spans.filter((x) => x !== fourth).some((x) => x.to <= fourth.from)).toBe(true);
  });

  it('on a far server, a folder worker appends over the connection that prepared the mailbox rather than wait for a login opened ahead', async () => {
    // One folder with messages among the mailbox's several, and the destination's logins slow:
    // the folder goes on the connection that prepared the mailbox, at once.
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

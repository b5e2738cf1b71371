import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bulkCorpus, makeMessage } from '../../lab/corpus.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import type { CommandRecord } from '../../lab/fault-proxy-connection.js';
import { getLab } from '../../lab/lab-info.js';
import { seedMailbox, type SeedFolder, type SeedMessage } from '../../lab/seed.js';
import { withImap } from '../../lab/imap.js';
import { runThroughEngine, type EngineRun, type RunOptions } from '../../support/engine-run.js';
import { FileLeases } from '../../../shared/adapters/state/file-leases.js';
import { mailboxKey } from '../../../shared/domain/checkpoints/checkpoint-store.js';
import { splitLanes } from '../../../shared/engine/copy-range/range-lanes.js';
import { compareCopy, seededPair } from '../../support/lab-mailbox.js';

/**
 * On a far server a mailbox's workers with no folder left to start lend themselves to a range
 * still running: its messages are read and appended over several connection pairs at once
 * (lanes), with one retry window and one multiset of copies between them. Every test compares
 * source and destination message by message, as multisets: nothing missing, nothing twice.
 */

const proxies: FaultProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

/** One folder of 240 messages of ~100 KB (24 MB: one range, worth three lanes). */
const BIG = 240;
const bigFolder = (seed: string): SeedFolder[] => bulkCorpus(BIG, { folders: 1, bodyBytes: 100_000, seed });

/** Far, three workers for the one folder: the two the folder cannot use are idle from the start. */
const far = (extra: Partial<RunOptions> = {}): RunOptions => ({ roundTripMs: 60, ...extra, settings: { MAX_CONNECTIONS_PER_MAILBOX: '3', MESSAGES_PER_FOLDER_WORKER: '1', APPEND_BATCH_MESSAGES: '20', ...extra.settings } });

const of = (commands: readonly CommandRecord[], user: string): CommandRecord[] => commands.filter((c) => c.user?.toLowerCase() === user.toLowerCase());
/** The UIDs a body FETCH asked for. */
const uidsAsked = (c: CommandRecord): number[] => (/^([\d,:]+) /.exec(c.args)?.[1] ?? '').split(',').flatMap((p) => {
  const [a, b] = p.split(':').map(Number);
  return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
});
/** A mailbox's body FETCHes at the source (the proxy keeps a FETCH's whole line). */
const bodyFetches = (source: FaultProxy, user: string): CommandRecord[] => of(source.commands, user).filter((c) => c.name === 'UID FETCH' && /BODY/.test(c.args));

async function behindProxies(prefix: string, folders: SeedFolder[]): Promise<{ address: string; source: FaultProxy; destination: FaultProxy }> {
  const lab = getLab();
  const address = await seededPair(lab, prefix, folders);
  const source = await FaultProxy.forLab(lab, 'source');
  const destination = await FaultProxy.forLab(lab, 'destination');
  proxies.push(source, destination);
  return { address, source, destination };
}

async function expectExact(address: string): Promise<void> {
  const cmp = await compareCopy(getLab(), address);
  expect({ missing: cmp.missing, extra: cmp.extra, diffs: cmp.diffs }).toEqual({ missing: [], extra: [], diffs: [] });
}

describe('a range copied over the mailbox\'s idle workers (lanes)', () => {
  it('on a far server, one big folder is read over three source connections at once, each message once, and the copy is exact', async () => {
    const { address, source, destination } = await behindProxies('lanes', bigFolder('lanes'));
    const run = await runThroughEngine(getLab(), [address], { source, destination, ...far() });
    expect(run.report.mailboxes[0]?.state, run.log.join('\n')).toBe('completed');

    const fetches = bodyFetches(source, address);
    const connections = new Set(fetches.map((c) => c.connection));
    expect(connections.size).toBe(3);
    // The lanes read at once, not one after another.
    const ends = [...connections].map((n) => Math.max(...fetches.filter((c) => c.connection === n).map((c) => c.doneAt!)));
    const starts = [...connections].map((n) => Math.min(...fetches.filter((c) => c.connection === n).map((c) => c.at)));
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
    // Every UID asked for once, over all lanes.
    const asked = fetches.flatMap(uidsAsked).sort((a, b) => a - b);
    expect(asked).toEqual(Array.from({ length: BIG }, (_, i) => i + 1));
    // Appended over three destination connections.
    expect(new Set(of(destination.commands, address).filter((c) => c.name === 'APPEND').map((c) => c.connection)).size).toBe(3);
    await expectExact(address);
  });

  it('a big folder\'s later ranges take the workers its mailbox\'s small folders leave when they end', async () => {
    const big = bigFolder('lanes-later')[0]!;
    const small = bulkCorpus(60, { folders: 2, bodyBytes: 2_000, seed: 'lanes-later-small' }).map((f, i) => ({ ...f, path: `Small/${i + 1}` }));
    const { address, source, destination } = await behindProxies('lanes-later', [big, ...small]);
    // Ranges of 120 messages (12 MB). The small folders' bodies come 300 ms late (a folder frees
    // its worker once they are in) and their APPENDs are answered 300 ms late; the big folder's
    // first bodies come 700 ms late: its first range starts while they read, its second once
    // they have ended.
    source.addFault({ on: { name: 'UID FETCH', user: address, args: /^1,2,3,.*,30 .*BODY/, times: 2 }, action: { kind: 'delay', ms: 300 } });
    destination.addFault({ on: { name: 'APPEND', user: address, args: /^"Small\//, times: 1000 }, action: { kind: 'delay', ms: 300 } });
    source.addFault({ on: { name: 'UID FETCH', user: address, args: /^1,2,3,.*,120 .*BODY/ }, action: { kind: 'delay', ms: 700 } });
    const run = await runThroughEngine(getLab(), [address], { source, destination, ...far({ settings: { RANGE_MAX_MESSAGES: '120' } }) });
    expect(run.report.mailboxes[0]?.state, run.log.join('\n')).toBe('completed');
    // The small folders' FETCHes ask for 30 UIDs each; the big one's, 40 and more.
    const bigFetches = bodyFetches(source, address).filter((c) => uidsAsked(c).length > 30);
    const connectionsOf = (from: number, to: number): number => new Set(bigFetches.filter((c) => uidsAsked(c).every((u) => u >= from && u <= to)).map((c) => c.connection)).size;
    expect(connectionsOf(1, 120)).toBe(1);
    // 12 MB: two lanes of LANE_MIN_BYTES and more.
    expect(connectionsOf(121, 240)).toBe(2);
    await expectExact(address);
  });

  it('on a near server a range keeps to one connection pair', async () => {
    const { address, source, destination } = await behindProxies('lanes-near', bigFolder('lanes-near'));
    const run = await runThroughEngine(getLab(), [address], { source, destination, ...far({ roundTripMs: 0 }) });
    expect(run.report.mailboxes[0]?.state, run.log.join('\n')).toBe('completed');
    expect(new Set(bodyFetches(source, address).map((c) => c.connection)).size).toBe(1);
    await expectExact(address);
  });

  it('lanes that wait together for the range\'s destination share one side: a message over the size limit is reported once', async () => {
    const folders = bigFolder('lanes-one-side');
    const date = new Date(Date.UTC(2024, 5, 1));
    const tooLarge = makeMessage({ subject: 'Too large', from: 'a@contoso.example', to: 'b@contoso.example', date, bodyBytes: 400_000, seed: 'too-large' });
    folders[0]!.messages.splice(120, 0, { raw: tooLarge, flags: [], internalDate: date });
    const { address, source, destination } = await behindProxies('lanes-one-side', folders);
    // The destination folder's SELECT answers late: every lane is waiting for the side by then.
    destination.addFault({ on: { name: 'SELECT', user: address }, action: { kind: 'delay', ms: 300 } });
    const run = await runThroughEngine(getLab(), [address], { source, destination, ...far({ settings: { MAX_MESSAGE_BYTES: '300000' } }) });
    const mailbox = run.report.mailboxes[0]!;
    expect(mailbox.state, run.log.join('\n')).toBe('completed-with-issues');
    expect(new Set(bodyFetches(source, address).map((c) => c.connection)).size).toBe(3);
    const folder = mailbox.folders.find((f) => f.sourcePath === 'Bulk/001')!;
    expect({ skipped: folder.skippedCount, copied: folder.copied, codes: folder.skipped.map((i) => i.code) }).toEqual({ skipped: 1, copied: BIG, codes: ['MESSAGE_TOO_LARGE'] });
    const cmp = await compareCopy(getLab(), address);
    expect({ missing: cmp.missing.map((m) => m.message.size), extra: cmp.extra, diffs: cmp.diffs.filter((d) => !/missing/i.test(d)) }).toEqual({ missing: [tooLarge.length], extra: [], diffs: [] });
  });

  // APPENDs of 20 messages: each lane of ~80 sends about four. The nth APPEND command to arrive
  // (from whichever lane) is stored, its answer lost and the connection closed: the range stops
  // every lane, is tried again, and must find those copies rather than append them twice.
  it.each([2, 6, 10])('a lane\'s lost APPEND answer (APPEND #%i): the range is tried again and appends only what is missing', async (nth) => {
    const { address, source, destination } = await behindProxies(`lanes-lost-${nth}`, bigFolder(`lanes-lost-${nth}`));
    destination.addFault({ on: { name: 'APPEND', user: address, nth }, action: { kind: 'cut-before-tagged-reply' } });
    const run = await runThroughEngine(getLab(), [address], { source, destination, ...far() });
    expect(run.report.mailboxes[0]?.state, run.log.join('\n')).toBe('completed');
    expect(destination.fired.filter((f) => f.action === 'cut-before-tagged-reply')).toHaveLength(1);
    expect(run.log.some((l) => /retry 1/.test(l)), run.log.join('\n')).toBe(true);
    expect(new Set(bodyFetches(source, address).map((c) => c.connection)).size).toBeGreaterThan(1);
    await expectExact(address);
  });

  it.each([3, 7, 11])('exact twins in different lanes, and a lost APPEND answer (APPEND #%i): each twin is at the destination as often as at the source', async (nth) => {
    const folders = bigFolder(`lanes-twins-${nth}`);
    const date = new Date(Date.UTC(2024, 4, 1, 8, 0, 0));
    const twin: SeedMessage = { raw: makeMessage({ subject: 'Twin across lanes', from: 'a@contoso.example', to: 'b@contoso.example', date, bodyBytes: 100_000, seed: `twin-${nth}` }), flags: ['\\Seen'], internalDate: date };
    // In the first lane, in the middle one and in the last.
    for (const at of [230, 120, 5]) folders[0]!.messages.splice(at, 0, twin);
    const { address, source, destination } = await behindProxies(`lanes-twins-${nth}`, folders);
    destination.addFault({ on: { name: 'APPEND', user: address, nth }, action: { kind: 'cut-before-tagged-reply' } });
    const run = await runThroughEngine(getLab(), [address], { source, destination, ...far() });
    expect(run.report.mailboxes[0]?.state, run.log.join('\n')).toBe('completed');
    expect(destination.fired).toHaveLength(1);
    expect(new Set(bodyFetches(source, address).map((c) => c.connection)).size).toBeGreaterThan(1);
    await expectExact(address);
  });

  // Also with an Exchange destination's identity (a hash of normalised headers: the twins' are the same).
  it.each(['generic', 'exchange'])('a twin stored by one lane before the range broke off stands for one twin only when the retry\'s lanes both hold one (%s destination)', async (kind) => {
    const date = new Date(Date.UTC(2024, 4, 1, 8, 0, 0));
    const twin: SeedMessage = { raw: makeMessage({ subject: 'Twin across lanes', from: 'a@contoso.example', to: 'b@contoso.example', date, bodyBytes: 100_000, seed: 'twin-first' }), flags: ['\\Seen'], internalDate: date };
    const folders = bigFolder('lanes-twin-first');
    const messages = folders[0]!.messages;
    // One twin in the first lane's run, one last, and two side by side where the third lane
    // begins: whichever of them the cut falls before, its first APPEND begins with a twin.
    messages.splice(70, 0, twin);
    messages.push(twin);
    const thirdLaneStart = (): number => {
      const runs = splitLanes(messages.map((m) => ({ size: Buffer.byteLength(m.raw) })), 3);
      return runs[0]!.length + runs[1]!.length;
    };
    const at = thirdLaneStart();
    messages.splice(at, 0, twin, twin);
    expect([at, at + 1]).toContain(thirdLaneStart());
    expect(messages[thirdLaneStart()]).toBe(twin);

    const { address, source, destination } = await behindProxies(`lanes-twin-first-${kind}`, folders);
    // The first lane reads late; the third lane's first APPEND (it begins with the twin) is stored
    // and its answer lost. The retry reads the whole range again over three lanes: the twin in
    // its first lane and the one now in another both look for a copy, and only one is there.
    source.addFault({ on: { name: 'UID FETCH', user: address, args: /^1,2,3,.*BODY/ }, action: { kind: 'delay', ms: 400 } });
    destination.addFault({ on: { name: 'APPEND', user: address, args: /01-May-2024 08:00:00/ }, action: { kind: 'cut-before-tagged-reply' } });
    const run = await runThroughEngine(getLab(), [address], { source, destination, ...far({ settings: { DESTINATION_SERVER_KIND: kind } }) });
    expect(run.report.mailboxes[0]?.state, run.log.join('\n')).toBe('completed');
    expect(destination.fired.map((f) => f.action), of(destination.commands, address).filter((c) => c.name === 'APPEND').map((c) => `${c.connection} ${c.args}`).join('\n')).toEqual(['cut-before-tagged-reply']);
    await expectExact(address);
  });

  it('a run broken off while its lanes append, then the same batch from another state directory: nothing twice', async () => {
    const { address, source, destination } = await behindProxies('lanes-other-state', bigFolder('lanes-other-state'));
    // The fourth APPEND command is stored and its answer lost; from the fifth on the destination
    // takes none (the connection closes first): the range gives up and the mailbox fails, with
    // the lanes' copies at the destination beyond what the ledger counts as done.
    destination.addFault({ on: { name: 'APPEND', user: address, nth: 4 }, action: { kind: 'cut-before-tagged-reply' } });
    destination.addFault({ on: { name: 'APPEND', user: address, nth: 5, times: 1000 }, action: { kind: 'cut' } });
    const broken = await runThroughEngine(getLab(), [address], { source, destination, ...far() });
    expect(broken.report.mailboxes[0]?.state, broken.log.join('\n')).not.toBe('completed');
    const partial = await compareCopy(getLab(), address);
    expect(partial.missing.length).toBeGreaterThan(0);
    expect(partial.missing.length).toBeLessThan(BIG);
    expect(partial.extra).toEqual([]);

    // The operator runs it again, pointing at another (empty) state directory: the destination is the truth.
    destination.clearFaults();
    const again = await runThroughEngine(getLab(), [address], { source, destination, ...far({ stateDir: mkdtempSync(join(tmpdir(), 'mailmig-lanes-other-')) }) });
    expect(again.report.mailboxes[0]?.state, again.log.join('\n')).toBe('completed');
    expect(new Set(bodyFetches(source, address).map((c) => c.connection)).size).toBeGreaterThan(1);
    await expectExact(address);
  });

  it('a second run at once on the same state directory, started while the lanes append, copies nothing: the pair is held', async () => {
    const { address, source, destination } = await behindProxies('lanes-twice', bigFolder('lanes-twice'));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-lanes-twice-'));
    const leases = (): FileLeases => new FileLeases(join(stateDir, 'leases'));
    let again: Promise<EngineRun> | undefined;
    // The operator starts the same batch again as the fourth APPEND command (of three lanes) arrives.
    destination.addFault({ on: { name: 'APPEND', user: address, nth: 4 }, action: { kind: 'hold', run: async () => void (again ??= runThroughEngine(getLab(), [address], { source, destination, leases: leases(), ...far({ stateDir }) })) } });
    const run = await runThroughEngine(getLab(), [address], { source, destination, leases: leases(), ...far({ stateDir }) });
    expect(run.report.mailboxes[0]?.state, run.log.join('\n')).toBe('completed');
    expect(new Set(bodyFetches(source, address).map((c) => c.connection)).size).toBeGreaterThan(1);
    expect(again).toBeDefined();
    expect((await again!).report.mailboxes.map((m) => m.error?.code)).toEqual(['MAILBOX_LEASED']);
    await expectExact(address);
  });

  it('a run broken off while its lanes append, its ledger journal then zero-filled: the next run on that state directory appends nothing twice', async () => {
    const { address, source, destination } = await behindProxies('lanes-zeroed', bigFolder('lanes-zeroed'));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-lanes-zeroed-'));
    destination.addFault({ on: { name: 'APPEND', user: address, nth: 4 }, action: { kind: 'cut-before-tagged-reply' } });
    destination.addFault({ on: { name: 'APPEND', user: address, nth: 5, times: 1000 }, action: { kind: 'cut' } });
    const broken = await runThroughEngine(getLab(), [address], { source, destination, ...far({ stateDir }) });
    expect(broken.report.mailboxes[0]?.state, broken.log.join('\n')).not.toBe('completed');
    expect((await compareCopy(getLab(), address)).missing.length).toBeGreaterThan(0);
    // The disk gave back zeros where the journal of the lanes' progress was.
    const journal = join(stateDir, 'checkpoints', `${createHash('sha256').update(mailboxKey(address, address)).digest('hex').slice(0, 40)}.journal`);
    expect(existsSync(journal)).toBe(true);
    writeFileSync(journal, Buffer.alloc(readFileSync(journal).length));

    destination.clearFaults();
    const again = await runThroughEngine(getLab(), [address], { source, destination, ...far({ stateDir }) });
    expect(again.report.mailboxes[0]?.state, again.log.join('\n')).toBe('completed');
    await expectExact(address);
  });

  it('a user who deletes the destination folder after a copy over lanes: the next delta, over lanes, makes it whole again, nothing twice', async () => {
    const { address, source, destination } = await behindProxies('lanes-deleted', bigFolder('lanes-deleted'));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-lanes-deleted-'));
    const first = await runThroughEngine(getLab(), [address], { source, destination, ...far({ stateDir }) });
    expect(first.report.mailboxes[0]?.state, first.log.join('\n')).toBe('completed');
    // New mail at the source, and the user deletes the folder at the destination.
    await seedMailbox(getLab(), 'source', address, bulkCorpus(120, { folders: 1, bodyBytes: 100_000, seed: 'lanes-deleted-more' }));
    await withImap(getLab(), 'destination', address, (c) => c.mailboxDelete('Bulk/001'));
    const before = source.commands.length;
    const again = await runThroughEngine(getLab(), [address], { source, destination, ...far({ stateDir }) });
    expect(again.report.mailboxes[0]?.state, again.log.join('\n')).toBe('completed');
    expect(new Set(source.commands.slice(before).filter((c) => c.name === 'UID FETCH' && /BODY/.test(c.args) && c.user?.toLowerCase() === address.toLowerCase()).map((c) => c.connection)).size).toBeGreaterThan(1);
    await expectExact(address);
  });
});


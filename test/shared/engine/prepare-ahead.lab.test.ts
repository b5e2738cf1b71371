import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLeases } from '../../../shared/adapters/state/file-leases.js';
import { bulkCorpus } from '../../lab/corpus.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import type { CommandRecord } from '../../lab/fault-proxy-connection.js';
import { getLab } from '../../lab/lab-info.js';
import { runThroughEngine, type EngineRun } from '../../support/engine-run.js';
import { compareCopy, seededPair } from '../../support/lab-mailbox.js';

/**
 * A batch prepares the mailbox that waits for a pass slot (logs in, lists, creates its folders,
 * asks their STATUS) once the running mailbox has started its last folder: the waiting one's
 * set-up overlaps that folder's copy, and its own copy still begins only once it has the slot.
 * On a far server the running mailbox hands the slot on as soon as its source is read.
 */

const proxies: FaultProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

const of = (commands: readonly CommandRecord[], user: string): CommandRecord[] => commands.filter((c) => c.user?.toLowerCase() === user.toLowerCase());
const folderOf = (c: CommandRecord): string => /^"?([^"\s]+)/.exec(c.args)?.[1] ?? '';
/** A mailbox's body FETCHes at the source (metadata FETCHes end with their items). */
const bodyFetches = (source: FaultProxy, user: string): CommandRecord[] => of(source.commands, user).filter((c) => c.name === 'UID FETCH' && !/RFC822\.SIZE\)$/.test(c.args));
/** Two mailboxes of two folders of 60 messages each, and proxies in front of both servers. */
async function twoBehindProxies(prefix: string): Promise<{ first: string; second: string; source: FaultProxy; destination: FaultProxy }> {
  const lab = getLab();
  const seeded = (x: string): Promise<string> => seededPair(lab, `${prefix}-${x}`, bulkCorpus(120, { folders: 2, bodyBytes: 4000, seed: `${prefix}-${x}` }));
  const first = await seeded('a');
  const second = await seeded('b');
  const source = await FaultProxy.forLab(lab, 'source');
  const destination = await FaultProxy.forLab(lab, 'destination');
  proxies.push(source, destination);
  return { first, second, source, destination };
}

/** Source and destination of each mailbox compared message by message, as multisets: nothing missing, nothing twice, nothing changed. */
async function expectBothExact(...addresses: string[]): Promise<void> {
  for (const address of addresses) {
    const cmp = await compareCopy(getLab(), address);
    expect({ missing: cmp.missing, extra: cmp.extra, diffs: cmp.diffs }).toEqual({ missing: [], extra: [], diffs: [] });
  }
}

/** The two mailboxes in the order they began reading their source. */
const byFirstRead = (source: FaultProxy, a: string, b: string): [string, string] => {
  const first = (user: string): number => Math.min(...bodyFetches(source, user).map((c) => c.at));
  return first(a) <= first(b) ? [a, b] : [b, a];
};

describe('a batch prepares the next mailbox ahead of its pass slot', () => {
  it('with one slot, the mailbox that waits is prepared while the other copies its last folder, copies after it, and both copies are exact', async () => {
    const lab = getLab();
    const first = await seededPair(lab, 'ahead-a', bulkCorpus(300, { folders: 3, bodyBytes: 8000, seed: 'ahead-a' }));
    const second = await seededPair(lab, 'ahead-b', bulkCorpus(300, { folders: 3, bodyBytes: 8000, seed: 'ahead-b' }));
    const destination = await FaultProxy.forLab(lab, 'destination');
    proxies.push(destination);
    // Each chunk a little late, and folders of 100 messages: a folder's copy outlasts a mailbox's set-up.
    destination.setLatency(15);
    // Near (as the lab is): a pass keeps its slot to its end.
    const run = await runThroughEngine(lab, [first, second], { destination, concurrency: 1, roundTripMs: 0, settings: { MAX_CONNECTIONS_PER_MAILBOX: '1' } });
    expect(run.report.mailboxes.map((m) => m.state), run.log.join('\n')).toEqual(['completed', 'completed']);

    // Which of the two had the slot first is whichever look ended first: the other waited.
    const firstAppend = (user: string): number => Math.min(...of(destination.commands, user).filter((c) => c.name === 'APPEND').map((c) => c.at));
    const [ran, waited] = [first, second].sort((x, y) => firstAppend(x) - firstAppend(y));
    const a = of(destination.commands, ran!);
    const b = of(destination.commands, waited!);
    const appends = a.filter((c) => c.name === 'APPEND');
    // One worker: the first mailbox's folders one after another; the last one started last.
    const byFolder = new Map<string, CommandRecord[]>();
    for (const c of appends) byFolder.set(folderOf(c), [...(byFolder.get(folderOf(c)) ?? []), c]);
    expect(byFolder.size).toBe(3);
    const lastFolder = [...byFolder.values()].reduce((x, y) => (y[0]!.at > x[0]!.at ? y : x));
    const earlierDone = Math.max(...appends.filter((c) => !lastFolder.includes(c)).map((c) => c.doneAt!));
    const firstEnds = Math.max(...appends.map((c) => c.doneAt!));
    const secondBegins = Math.min(...b.map((c) => c.at));
    const secondCreates = b.filter((c) => c.name === 'CREATE');
    const secondAppends = b.filter((c) => c.name === 'APPEND');
    expect(secondCreates.length).toBeGreaterThanOrEqual(3); // its three folders (and their parent)
    // Not with the batch's start: only once the running mailbox's earlier folders are copied ...
    expect(secondBegins).toBeGreaterThan(earlierDone);
    // ... and its folders created while that one still copies its last.
    expect(Math.max(...secondCreates.map((c) => c.doneAt!))).toBeLessThan(firstEnds);
    // Its copy waits for the slot.
    expect(Math.min(...secondAppends.map((c) => c.at))).toBeGreaterThan(firstEnds);

    await expectBothExact(first, second);
  });

  it('on a far server, a mailbox hands its slot on once its source is read: the next reads while its last APPENDs are answered, and both copies are exact', async () => {
    const lab = getLab();
    const { first, second, source, destination } = await twoBehindProxies('handover');
    // The destination answers each APPEND late: a mailbox's last APPENDs outlast its reading.
    destination.addFault({ on: { name: 'APPEND', times: 1000 }, action: { kind: 'delay', ms: 400 } });
    const run = await runThroughEngine(lab, [first, second], { source, destination, concurrency: 1, roundTripMs: 60, settings: { MAX_CONNECTIONS_PER_MAILBOX: '1' } });
    expect(run.report.mailboxes.map((m) => m.state), run.log.join('\n')).toEqual(['completed', 'completed']);

    const [ran, waited] = byFirstRead(source, first, second);
    const ranRead = Math.max(...bodyFetches(source, ran).map((c) => c.doneAt!));
    const ranAppended = Math.max(...of(destination.commands, ran).filter((c) => c.name === 'APPEND').map((c) => c.doneAt!));
    const waitedReads = Math.min(...bodyFetches(source, waited).map((c) => c.at));
    // Not before the first mailbox's source is read (one slot) ...
    expect(waitedReads).toBeGreaterThanOrEqual(ranRead);
    // ... but before its last APPEND is answered.
    expect(waitedReads).toBeLessThan(ranAppended);

    await expectBothExact(first, second);
  });

  it('a mailbox that lost an APPEND\'s answer after handing its slot on copies the rest once, beside the next one reading', async () => {
    const lab = getLab();
    const { first, second, source, destination } = await twoBehindProxies('handover-lost');
    // Each mailbox's last APPEND command (60 messages a folder, 50 to a command: the fourth) is
    // stored but its answer lost, the connection closed: the range is tried again and must find
    // those copies at the destination rather than append them twice. (The first fault that
    // matches a command is the one applied: these before the delay of every APPEND.)
    for (const user of [first, second]) destination.addFault({ on: { name: 'APPEND', user, nth: 4 }, action: { kind: 'cut-before-tagged-reply' } });
    destination.addFault({ on: { name: 'APPEND', times: 1000 }, action: { kind: 'delay', ms: 300 } });
    const run = await runThroughEngine(lab, [first, second], { source, destination, concurrency: 1, roundTripMs: 60, settings: { MAX_CONNECTIONS_PER_MAILBOX: '1', APPEND_BATCH_MESSAGES: '50' } });
    expect(run.report.mailboxes.map((m) => m.state), run.log.join('\n')).toEqual(['completed', 'completed']);
    expect(destination.fired.filter((f) => f.action === 'cut-before-tagged-reply')).toHaveLength(2);

    // The overlap happened: the second mailbox read while the first's APPENDs were still answered.
    const [ran, waited] = byFirstRead(source, first, second);
    const ranAppended = Math.max(...of(destination.commands, ran).filter((c) => c.name === 'APPEND').map((c) => c.doneAt ?? c.at));
    expect(Math.min(...bodyFetches(source, waited).map((c) => c.at))).toBeLessThan(ranAppended);

    await expectBothExact(first, second);
  });

  it('a second run at once on the same state directory, started while a handed-on mailbox finishes, copies nothing: both pairs are still held', async () => {
    const lab = getLab();
    const { first, second, source, destination } = await twoBehindProxies('handover-twice');
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-handover-'));
    const leases = (): FileLeases => new FileLeases(join(stateDir, 'leases'));
    let again: Promise<EngineRun> | undefined;
    // The operator starts the same batch again as the first run's first mailbox sends its last
    // APPEND (its source read, its slot handed on, the other mailbox reading).
    const secondRun = async (): Promise<void> => {
      again ??= runThroughEngine(lab, [first, second], { source, destination, stateDir, leases: leases(), concurrency: 1, roundTripMs: 60, settings: { MAX_CONNECTIONS_PER_MAILBOX: '1', APPEND_BATCH_MESSAGES: '50' } });
    };
    for (const user of [first, second]) destination.addFault({ on: { name: 'APPEND', user, nth: 4 }, action: { kind: 'hold', run: secondRun } });
    destination.addFault({ on: { name: 'APPEND', times: 1000 }, action: { kind: 'delay', ms: 300 } });
    const run = await runThroughEngine(lab, [first, second], { source, destination, stateDir, leases: leases(), concurrency: 1, roundTripMs: 60, settings: { MAX_CONNECTIONS_PER_MAILBOX: '1', APPEND_BATCH_MESSAGES: '50' } });
    expect(run.report.mailboxes.map((m) => m.state), run.log.join('\n')).toEqual(['completed', 'completed']);
    expect(again).toBeDefined();
    const other = await again!;
    expect(other.report.mailboxes.map((m) => m.error?.code)).toEqual(['MAILBOX_LEASED', 'MAILBOX_LEASED']);
    await expectBothExact(first, second);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bulkCorpus } from '../../lab/corpus.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import { getLab, type LabInfo } from '../../lab/lab-info.js';
import { runThroughEngine } from '../../support/engine-run.js';
import { expectExactCopy } from '../../support/expect-copy.js';
import { seededPair } from '../../support/lab-mailbox.js';

/**
 * A mailbox's folders are looked at with STATUS commands sent together (one round trip where
 * Exchange would cost tens of milliseconds per folder), on the first pass and on a delta (there
 * right behind the LIST); a
 * folder whose STATUS is refused is asked again alone and copied all the same.
 */

let lab: LabInfo;
let proxy: FaultProxy | undefined;
const FOLDERS = 6;
const corpus = (seed: string): ReturnType<typeof bulkCorpus> => bulkCorpus(36, { folders: FOLDERS, bodyBytes: 800, seed });

describe('STATUS of a mailbox, pipelined', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  it('a first pass and a no-change delta send every STATUS at once, and the delta still sees that nothing changed', async () => {
    const address = await seededPair(lab, 'rel-status', corpus('rel-status'));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-status-'));
    const first = await runThroughEngine(lab, [address], { stateDir });
    await expectExactCopy(lab, address, first);

    proxy = await FaultProxy.forLab(lab, 'source');
    const delta = await runThroughEngine(lab, [address], { stateDir, source: proxy });
    expect(delta.report.mailboxes[0]!.totals.copiedThisPass).toBe(0);
    expect(delta.report.mailboxes[0]!.folders.every((f) => f.state === 'unchanged')).toBe(true);
    const statuses = proxy.commands.filter((c) => c.name === 'STATUS');
    const folders = delta.report.mailboxes[0]!.folders.length;
    expect(folders).toBeGreaterThanOrEqual(FOLDERS);
    expect(statuses.length).toBe(folders);
    // All of them in flight together: one round trip, not one per folder; and sent behind the LIST
    // (the lab's source, like Exchange, has no LIST-STATUS), before its answer: the look is one round trip.
    expect(proxy.stats().maxInFlightByCommand.STATUS).toBe(folders);
    const list = proxy.commands.find((c) => c.name === 'LIST')!;
    for (const s of statuses) expect(s.at, `STATUS ${s.args}`).toBeLessThanOrEqual(list.doneAt!);
  });

  it('the cut-over pass (no look ahead) asks the folders earlier passes copied behind its LIST, in the same round trip, and copies exactly', async () => {
    const address = await seededPair(lab, 'rel-status-final', corpus('rel-status-final'));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-status-'));
    await expectExactCopy(lab, address, await runThroughEngine(lab, [address], { stateDir }));
    proxy = await FaultProxy.forLab(lab, 'source');
    const final = await runThroughEngine(lab, [address], { stateDir, source: proxy, final: true });
    await expectExactCopy(lab, address, final);
    const list = proxy.commands.find((c) => c.name === 'LIST')!;
    const firstExamine = Math.min(...proxy.commands.filter((c) => c.name === 'EXAMINE').map((c) => c.at), Number.POSITIVE_INFINITY);
    const before = proxy.commands.filter((c) => c.name === 'STATUS' && c.at < firstExamine);
    expect(before.length).toBeGreaterThanOrEqual(FOLDERS);
    for (const s of before) expect(s.at, `STATUS ${s.args}`).toBeLessThanOrEqual(list.doneAt!);
  });

  it('a no-change delta of a mailbox of 60 folders still sends every STATUS at once: its round trips do not grow with its folders', async () => {
    const address = await seededPair(lab, 'rel-status-60', bulkCorpus(60, { folders: 60, bodyBytes: 400, seed: 'rel-status-60' }));
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-status-'));
    await expectExactCopy(lab, address, await runThroughEngine(lab, [address], { stateDir }));
    proxy = await FaultProxy.forLab(lab, 'source');
    const delta = await runThroughEngine(lab, [address], { stateDir, source: proxy });
    const folders = delta.report.mailboxes[0]!.folders.length;
    expect(folders).toBeGreaterThanOrEqual(60);
    expect(proxy.stats().maxInFlightByCommand.STATUS).toBe(folders);
  });

  it('a first pass learns the destination folders\' STATUS (is anything there already?) with no round of its own, not one per folder', async () => {
    const address = await seededPair(lab, 'rel-status-dst', corpus('rel-status-dst'));
    proxy = await FaultProxy.forLab(lab, 'destination');
    const run = await runThroughEngine(lab, [address], { destination: proxy });
    await expectExactCopy(lab, address, run);
    const folders = run.report.mailboxes[0]!.folders.length;
    expect(folders).toBeGreaterThanOrEqual(FOLDERS);
    const statuses = proxy.commands.filter((c) => c.name === 'STATUS');
    // The lab's destination answers STATUS within LIST (LIST-STATUS): the folders already there are
    // seen in the listing, and each folder created is asked with its CREATE (a destination without
    // LIST-STATUS: listing-status.lab.test.ts). Then one STATUS per folder that was appended to, as
    // its pass ends (the record a later pass checks); an empty folder ends with what was seen.
    expect(proxy.commands.find((c) => c.name === 'LIST')!.args).toMatch(/RETURN \(.*STATUS \(MESSAGES UIDNEXT UIDVALIDITY\)\)/);
    const created = proxy.commands.filter((c) => c.name === 'CREATE').length;
    expect(created).toBeLessThan(folders);
    const appendedTo = run.report.mailboxes[0]!.folders.filter((f) => f.copiedThisPass > 0).length;
    expect(appendedTo).toBe(FOLDERS);
    expect(statuses.length).toBe(created + appendedTo);
  });

  it('a folder whose pipelined STATUS is refused is asked alone, and the mailbox is still copied exactly', async () => {
    const address = await seededPair(lab, 'rel-status-no', corpus('rel-status-no'));
    proxy = await FaultProxy.forLab(lab, 'source');
    proxy.addFault({ on: { name: 'STATUS', nth: 2 }, action: { kind: 'answer', text: 'NO Server busy, try again' } });
    const run = await runThroughEngine(lab, [address], { source: proxy });
    expect(proxy.fired.map((f) => f.action)).toEqual(['answer']);
    await expectExactCopy(lab, address, run);
    const statuses = proxy.commands.filter((c) => c.name === 'STATUS');
    const folders = run.report.mailboxes[0]!.folders.length;
    expect(statuses.length).toBe(folders + 1);
  });
});

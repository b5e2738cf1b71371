import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bulkCorpus } from '../../lab/corpus.js';
import { FaultProxy } from '../../lab/fault-proxy.js';
import type { CommandRecord } from '../../lab/fault-proxy-connection.js';
import { getLab, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox, uniqueAddress } from '../../lab/mailboxes.js';
import { seedMailbox } from '../../lab/seed.js';
import { withImap } from '../../lab/imap.js';
import { compareSnapshots, snapshotMailbox } from '../../lab/snapshot.js';
import { runThroughEngine, type EngineRun } from '../../support/engine-run.js';

/**
 * Where a server answers STATUS within LIST (RFC 5819 LIST-STATUS, as Dovecot and Gmail do; not
 * Exchange), a pass takes each folder's STATUS from the listing instead of a round of its own;
 * where it does not, the destination's folders already there are asked theirs beside the first
 * CREATEs, and a folder created is asked with its CREATE. Either way no STATUS round follows the
 * folders' creation. The lab's source server is the Exchange-like one (no LIST-STATUS) and its
 * destination offers it: these runs copy the other way, from the destination server into the
 * source server, to have both cases at once.
 */

let lab: LabInfo;
const proxies: FaultProxy[] = [];

/** A mailbox seeded on the lab's destination server (LIST-STATUS), to be copied into the same address on its source server (none). */
async function reversedPair(prefix: string): Promise<string> {
  const address = uniqueAddress(prefix);
  await addMailbox(lab, 'destination', address);
  await addMailbox(lab, 'source', address);
  await seedMailbox(lab, 'destination', address, bulkCorpus(24, { folders: 4, bodyBytes: 400, seed: prefix }));
  return address;
}

/** One pass from the destination server (through `from`) into the source server (through `to`). */
async function reversedRun(address: string, stateDir: string): Promise<{ run: EngineRun; from: FaultProxy; to: FaultProxy }> {
  const from = await FaultProxy.forLab(lab, 'destination');
  const to = await FaultProxy.forLab(lab, 'source');
  proxies.push(from, to);
  const run = await runThroughEngine(lab, [address], { source: from, destination: to, stateDir });
  expect(run.report.mailboxes.map((m) => m.error?.code ?? m.state), run.log.join('\n')).toEqual(['completed']);
  return { run, from, to };
}

/** Message by message (content hash, flags, internal date), as multisets: nothing missing, nothing extra, nothing twice. */
async function expectReversedCopy(address: string): Promise<void> {
  const [src, out] = await Promise.all([snapshotMailbox(lab, 'destination', address), snapshotMailbox(lab, 'source', address)]);
  const cmp = compareSnapshots(src, out);
  expect(cmp.missing).toEqual([]);
  expect(cmp.extra).toEqual([]);
  expect(cmp.diffs).toEqual([]);
  expect(Object.values(out.folders).reduce((n, f) => n + f.messages.length, 0)).toBe(24);
}

const named = (c: CommandRecord): string => /^("(?:[^"\\]|\\.)*"|\S+)/.exec(c.args)?.[1] ?? '';

describe('STATUS taken with the listing and the CREATEs', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });

  it('a source with LIST-STATUS is looked at in one command, on the first pass and on a no-change delta; the copy is exact, also after the ledger is lost', async () => {
    const address = await reversedPair('ls-source');
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-list-status-'));
    const first = await reversedRun(address, stateDir);
    await expectReversedCopy(address);
    const lists = first.from.commands.filter((c) => c.name === 'LIST');
    expect(lists.some((c) => /RETURN \(.*STATUS \(MESSAGES UIDNEXT UIDVALIDITY\)\)/.test(c.args))).toBe(true);
    // Every folder's STATUS came with the listing: none asked at the source.
    expect(first.from.commands.filter((c) => c.name === 'STATUS').map((c) => c.args)).toEqual([]);
    expect(first.run.report.mailboxes[0]!.totals.copiedThisPass).toBe(24);

    const delta = await reversedRun(address, stateDir);
    expect(delta.run.report.mailboxes[0]!.totals.copiedThisPass).toBe(0);
    expect(delta.run.report.mailboxes[0]!.folders.every((f) => f.state === 'unchanged')).toBe(true);
    expect(delta.from.commands.filter((c) => !['AUTHENTICATE', 'LOGOUT', 'CAPABILITY', 'ID', 'ENABLE'].includes(c.name)).map((c) => c.name)).toEqual(['LIST']);

    // The operator's mistake: another state directory (the ledger lost). The destination is the truth: nothing twice.
    const lost = await reversedRun(address, mkdtempSync(join(tmpdir(), 'mailmig-list-status-lost-')));
    expect(lost.run.report.mailboxes[0]!.totals.copiedThisPass).toBe(0);
    await expectReversedCopy(address);
  });

  it('a delta that finds a change asks a destination without LIST-STATUS the STATUS of the folders earlier passes copied right behind its LIST, and copies just that message', async () => {
    const address = await reversedPair('ls-changed');
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-list-status-'));
    await reversedRun(address, stateDir);
    await withImap(lab, 'destination', address, async (c) => void (await c.append('Bulk/002', Buffer.from('Subject: late\r\nMessage-ID: <late-ls@lab>\r\n\r\nhello\r\n'), ['\\Seen'])));
    const { run, to } = await reversedRun(address, stateDir);
    expect(run.report.mailboxes[0]!.totals.copiedThisPass).toBe(1);
    const [src, out] = await Promise.all([snapshotMailbox(lab, 'destination', address), snapshotMailbox(lab, 'source', address)]);
    const cmp = compareSnapshots(src, out);
    expect([cmp.missing, cmp.extra, cmp.diffs]).toEqual([[], [], []]);
    const list = to.commands.find((c) => c.name === 'LIST')!;
    const firstAppend = Math.min(...to.commands.filter((c) => c.name === 'APPEND').map((c) => c.at));
    // The look ahead's STATUS round (no LIST), then the pass's LIST with the ledger's folders behind it: no round after it.
    const before = to.commands.filter((c) => c.name === 'STATUS' && c.at < firstAppend);
    expect(before.filter((c) => c.at >= list.at).map(named)).toEqual(expect.arrayContaining(['"Bulk/001"', '"Bulk/002"', '"Bulk/003"', '"Bulk/004"']));
    for (const s of before) expect(s.at, `STATUS ${s.args}`).toBeLessThanOrEqual(list.doneAt!);
  });

  it('a destination folder a user deleted since the last pass, on a destination without LIST-STATUS: its STATUS behind the LIST is refused, the pass creates it again and fills it, nothing twice', async () => {
    const address = await reversedPair('ls-deleted');
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-list-status-'));
    await reversedRun(address, stateDir);
    // The user's mistake, at the destination (the lab's source server here).
    await withImap(lab, 'source', address, async (c) => void (await c.mailboxDelete('Bulk/003')));
    // A source change too, so the delta does not stop at its look ahead.
    await withImap(lab, 'destination', address, async (c) => void (await c.append('Bulk/001', Buffer.from('Subject: later\r\nMessage-ID: <later-ls@lab>\r\n\r\nhello\r\n'), [])));
    const { run, to } = await reversedRun(address, stateDir);
    const list = to.commands.find((c) => c.name === 'LIST')!;
    expect(to.commands.some((c) => c.name === 'STATUS' && named(c) === '"Bulk/003"' && c.at <= list.doneAt!)).toBe(true);
    expect(to.commands.some((c) => c.name === 'CREATE' && named(c) === '"Bulk/003"')).toBe(true);
    const bulk3 = run.report.mailboxes[0]!.folders.find((f) => f.sourcePath === 'Bulk/003')!;
    expect(bulk3.copiedThisPass).toBe(6);
    const [src, out] = await Promise.all([snapshotMailbox(lab, 'destination', address), snapshotMailbox(lab, 'source', address)]);
    const cmp = compareSnapshots(src, out);
    expect([cmp.missing, cmp.extra, cmp.diffs]).toEqual([[], [], []]);
    expect(out.folders['Bulk/003']?.messages).toHaveLength(6);
  });

  it('a destination without LIST-STATUS is asked the STATUS of its folders already there beside the first CREATEs, and of each folder created with its CREATE: no round after them', async () => {
    const address = await reversedPair('ls-dest');
    const { to } = await reversedRun(address, mkdtempSync(join(tmpdir(), 'mailmig-list-status-')));
    await expectReversedCopy(address);
    const firstAppend = Math.min(...to.commands.filter((c) => c.name === 'APPEND').map((c) => c.at));
    const creates = to.commands.filter((c) => c.name === 'CREATE');
    expect(creates.map(named).sort()).toEqual(['"Bulk"', '"Bulk/001"', '"Bulk/002"', '"Bulk/003"', '"Bulk/004"']);
    const lastCreateAnswered = Math.max(...creates.map((c) => c.doneAt!));
    const before = to.commands.filter((c) => c.name === 'STATUS' && c.at < firstAppend);
    // INBOX and the Bulk folders at least; each sent before the last CREATE was answered.
    expect(before.map(named)).toEqual(expect.arrayContaining(['"INBOX"', '"Bulk/001"', '"Bulk/004"']));
    for (const s of before) expect(s.at, `STATUS ${s.args}`).toBeLessThanOrEqual(lastCreateAnswered);
    // A folder created is asked in its CREATE's round trip: sent before that CREATE was answered.
    for (const c of creates.filter((x) => named(x) !== '"Bulk"')) {
      const s = before.find((x) => named(x) === named(c));
      expect(s, `no STATUS with CREATE ${c.args}`).toBeDefined();
      expect(s!.at).toBeLessThanOrEqual(c.doneAt!);
    }
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bulkCorpus } from '../../lab/corpus.js';
import { FaultProxy, throttledAnswer, TOKEN_EXPIRED_BYE, type CommandFault } from '../../lab/fault-proxy.js';
import { getLab, type LabInfo } from '../../lab/lab-info.js';
import { addMailbox } from '../../lab/mailboxes.js';
import { runThroughEngine } from '../../support/engine-run.js';
import { expectExactCopy } from '../../support/expect-copy.js';
import { compareCopy, duplicatesAtDestination, seededPair } from '../../support/lab-mailbox.js';

/**
 * Faults between the engine and the destination, around APPEND. Messages are 6 KB so imapflow
 * sends them as synchronizing literals (it uses LITERAL+ only up to 4 KB): the server's `+`
 * continuation is on the wire for the tests that cut around it.
 *
 * The APPEND faults run twice: one message per command (what Exchange Online gets: it offers no
 * MULTIAPPEND) and three messages per command (MULTIAPPEND, what the lab's destination offers).
 */

let lab: LabInfo;
let proxy: FaultProxy;

const SMALL_RANGES = { RANGE_MAX_MESSAGES: '10' };
const corpus = (seed: string): ReturnType<typeof bulkCorpus> => bulkCorpus(30, { folders: 2, bodyBytes: 6000, seed });

const MODES = [
  { mode: 'one message per APPEND', prefix: 'one', settings: { APPEND_BATCH_MESSAGES: '1' } },
  { mode: 'MULTIAPPEND, 3 messages per APPEND', prefix: 'multi', settings: { APPEND_BATCH_MESSAGES: '3' } },
] as const;

async function copyWith(prefix: string, fault: CommandFault, settings: Record<string, string> = {}): Promise<void> {
  const address = await seededPair(lab, prefix, corpus(prefix));
  proxy = await FaultProxy.forLab(lab, 'destination');
  proxy.addFault(fault);
  const run = await runThroughEngine(lab, [address], { destination: proxy, settings: { ...SMALL_RANGES, ...settings } });
  expect(proxy.fired.map((f) => f.action), run.log.join('\n')).toEqual([fault.action.kind === 'answer' ? 'answer' : fault.action.kind]);
  await expectExactCopy(lab, address, run);
}

describe('reliability: faults on the destination connection', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterEach(async () => {
    await proxy.stop();
  });

  describe.each(MODES)('$mode', (m) => {
    it('a connection cut in the middle of an APPEND literal (after 2,000 of ~6,200 bytes) leaves no partial message and no duplicate', async () => {
      await copyWith(`rel-${m.prefix}-litcut`, { on: { name: 'APPEND', nth: 5 }, action: { kind: 'cut-in-literal', afterBytes: 2000 } }, m.settings);
    });

    it.runIf(m.prefix === 'one')("a connection cut right after the server's + continuation is retried and every message is copied once", async () => {
      // Only without pipelining (no MULTIAPPEND either): with LITERAL+ there is no continuation to cut.
      await copyWith(`rel-${m.prefix}-contcut`, { on: { name: 'APPEND', nth: 3 }, action: { kind: 'cut-after-continuation' } }, { ...m.settings, APPEND_PIPELINE_DEPTH: '0' });
    });

    it('a connection lost after the APPEND was stored but before its tagged OK arrived creates no duplicate', async () => {
      await copyWith(`rel-${m.prefix}-lostok`, { on: { name: 'APPEND', nth: 4 }, action: { kind: 'cut-before-tagged-reply' } }, m.settings);
    });

    it('identical messages at the source all arrive once each when a pipelined range is retried after a lost OK', async () => {
      // Four byte-identical messages sit in one range; the OK of the 3rd copy is lost. The retry
      // must match only what this range appended (fresh UIDNEXT), so all four exist once each.
      const folders = corpus(`rel-${m.prefix}-twins`);
      const twin = folders[0]!.messages[0]!;
      folders[0]!.messages.splice(1, 0, { ...twin }, { ...twin }, { ...twin });
      const address = await seededPair(lab, `rel-${m.prefix}-twins`, folders);
      proxy = await FaultProxy.forLab(lab, 'destination');
      // The twins' folder's own 3rd APPEND (APPENDs of other folders may go first: counted apart).
      proxy.addFault({ on: { name: 'APPEND', args: /^"Bulk\/001"/, nth: 3 }, action: { kind: 'cut-before-tagged-reply' } });
      const run = await runThroughEngine(lab, [address], { destination: proxy, settings: { ...SMALL_RANGES, ...m.settings } });
      expect(proxy.fired.map((f) => f.action)).toEqual(['cut-before-tagged-reply']);
      await expectExactCopy(lab, address, run);
    });

    it('a connection cut before an APPEND reaches the server is retried and every message is copied once', async () => {
      await copyWith(`rel-${m.prefix}-cmdcut`, { on: { name: 'APPEND', nth: 12 }, action: { kind: 'cut' } }, m.settings);
    });

    it('BYE AccessTokenExpired answering an APPEND in the middle of a range ends with every message copied once', async () => {
      await copyWith(`rel-${m.prefix}-dstbye`, { on: { name: 'APPEND', nth: 6 }, action: TOKEN_EXPIRED_BYE }, m.settings);
    });

    // Every folder's first commands carry three messages (ranges of 10 = 3 + 3 + 3 + 1).
    it.runIf(m.prefix === 'multi')('a connection cut inside the second message of a MULTIAPPEND command stores none of the command and copies every message once', async () => {
      await copyWith(`rel-${m.prefix}-grpcut`, { on: { name: 'APPEND', nth: 2 }, action: { kind: 'cut-in-literal', afterBytes: 8000 } }, m.settings);
    });
  });

  it('with an Exchange identity (header hash) the retry window after a lost OK reads headers only, and creates no duplicate', async () => {
    const address = await seededPair(lab, 'rel-hdrwin', corpus('rel-hdrwin'));
    proxy = await FaultProxy.forLab(lab, 'destination');
    proxy.addFault({ on: { name: 'APPEND', nth: 4 }, action: { kind: 'cut-before-tagged-reply' } });
    const run = await runThroughEngine(lab, [address], { destination: proxy, settings: { ...SMALL_RANGES, DESTINATION_SERVER_KIND: 'exchange' } });
    expect(proxy.fired.map((f) => f.action)).toEqual(['cut-before-tagged-reply']);
    await expectExactCopy(lab, address, run);
    const fetches = proxy.commands.map((c) => `${c.name} ${c.args}`).filter((c) => /FETCH/i.test(c));
    expect(fetches.filter((c) => /HEADER\.FIELDS/i.test(c)).length, fetches.join('\n')).toBeGreaterThan(0);
    expect(fetches.filter((c) => /BODY\.PEEK\[\]|RFC822[^.]|BODY\[\]/i.test(c))).toEqual([]);
  });

  it('a destination that stops answering an APPEND is given up after IMAP_RESPONSE_TIMEOUT_SECONDS, and the range retried: every message copied once', async () => {
    const address = await seededPair(lab, 'rel-silent', corpus('rel-silent'));
    proxy = await FaultProxy.forLab(lab, 'destination');
    // The server hears the 3rd APPEND 4 s late: to the client, a connection gone silent.
    proxy.addFault({ on: { name: 'APPEND', nth: 3 }, action: { kind: 'delay', ms: 4000 } });
    const t0 = Date.now();
    const run = await runThroughEngine(lab, [address], { destination: proxy, settings: { ...SMALL_RANGES, IMAP_RESPONSE_TIMEOUT_SECONDS: '1' } });
    expect(proxy.fired.map((f) => f.action)).toEqual(['delay']);
    expect(run.log.join('\n')).toMatch(/IMAP_TIMEOUT/);
    await expectExactCopy(lab, address, run);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it.each(['SASL-IR', 'LITERAL+'])('a destination without %s gets its APPENDs through imapflow, one at a time, and an exact copy', async (missing) => {
    const address = await seededPair(lab, `rel-no-${missing.replace(/\W/g, '')}`, corpus(`rel-no-${missing}`));
    proxy = await FaultProxy.forLab(lab, 'destination');
    proxy.hideCapabilities([missing]);
    const run = await runThroughEngine(lab, [address], { destination: proxy, settings: SMALL_RANGES });
    await expectExactCopy(lab, address, run);
    const appends = proxy.commands.filter((c) => c.name === 'APPEND');
    expect(appends.length).toBe(30);
    // The pipelining connection tags its commands P1, P2, …: none of them may be an APPEND.
    expect(appends.filter((c) => c.tag.startsWith('P'))).toEqual([]);
    // One APPEND at a time on every connection (a synchronizing literal cannot be pipelined); other
    // commands, such as the mailbox's one STATUS round, may still be pipelined (RFC 3501 §5.5).
    expect(proxy.stats().maxInFlightByCommand.APPEND).toBe(1);
  });

  it('a destination without MULTIAPPEND (as Exchange Online) gets one message per APPEND, pipelined, and an exact copy', async () => {
    const address = await seededPair(lab, 'rel-no-multi', corpus('rel-no-multi'));
    proxy = await FaultProxy.forLab(lab, 'destination');
    proxy.hideCapabilities(['MULTIAPPEND']);
    const run = await runThroughEngine(lab, [address], { destination: proxy, settings: SMALL_RANGES });
    await expectExactCopy(lab, address, run);
    const appends = proxy.commands.filter((c) => c.name === 'APPEND');
    expect(appends.length).toBe(30);
    expect(appends.every((c) => c.tag.startsWith('P'))).toBe(true);
    expect(proxy.stats().maxInFlightByCommand.APPEND).toBeGreaterThan(1);
  });

  it('a refused MULTIAPPEND command is sent again one message per command: the message refused again is reported by UID, the other two are copied', async () => {
    // One folder of 15: the first command carries messages 1-3. The server refuses it, then refuses
    // the first of the three resent alone; nothing else may be lost or copied twice.
    const address = await seededPair(lab, 'rel-multino', bulkCorpus(15, { folders: 1, bodyBytes: 6000, seed: 'rel-multino' }));
    proxy = await FaultProxy.forLab(lab, 'destination');
    // The first line of an APPEND ends with its first message's date: message 1 is sent at 00:00.
    proxy.addFault({ on: { name: 'APPEND', args: / 00:00:00 \+0000" /, times: 2 }, action: { kind: 'answer', text: 'NO [LIMIT] Message size exceeds the maximum' } });
    const run = await runThroughEngine(lab, [address], { destination: proxy, settings: { ...SMALL_RANGES, APPEND_BATCH_MESSAGES: '3' } });
    expect(proxy.fired.map((f) => f.action)).toEqual(['answer', 'answer']);
    // The refused command held message 1 and whatever had arrived with it (up to 3); each of
    // those went again in a command of its own: message 1 is the second answer's command.
    const appends = proxy.commands.filter((c) => c.name === 'APPEND');
    expect(appends.filter((c) => / 00:00:00 \+0000" /.test(c.args)).length).toBe(2);
    expect(appends.length).toBeGreaterThanOrEqual(7);
    const [mailbox] = run.report.mailboxes;
    const failed = mailbox!.folders.flatMap((f) => f.failed);
    expect(failed.map((f) => [f.uid, f.code])).toEqual([[1, 'MESSAGE_TOO_LARGE']]);
    const cmp = await compareCopy(lab, address);
    expect(cmp.extra).toEqual([]);
    expect(cmp.missing.length).toBe(1);
    expect(await duplicatesAtDestination(lab, address)).toEqual([]);
  });

  it('a MULTIAPPEND refused although each of its messages is then stored alone: that connection stops grouping, and every message is copied once', async () => {
    const address = await seededPair(lab, 'rel-multioff', bulkCorpus(15, { folders: 1, bodyBytes: 6000, seed: 'rel-multioff' }));
    proxy = await FaultProxy.forLab(lab, 'destination');
    proxy.addFault({ on: { name: 'APPEND', nth: 1 }, action: { kind: 'answer', text: 'BAD Command line too long' } });
    const run = await runThroughEngine(lab, [address], { destination: proxy, settings: { ...SMALL_RANGES, APPEND_BATCH_MESSAGES: '3' } });
    expect(proxy.fired.map((f) => f.action)).toEqual(['answer']);
    await expectExactCopy(lab, address, run);
    // Range 1 (messages 1-10) may still go in groups while the refused command's messages are
    // sent again alone (a command takes messages as they arrive, so how many the refused one held
    // depends on timing). Range 2 (11-15) then goes one message per command: an APPEND begins with
    // each of its messages (message n was sent at 00:(n-1):00; with grouping, only 11 and 14 would).
    const appends = proxy.commands.filter((c) => c.name === 'APPEND');
    const firstOfRange2 = appends.map((c) => / 00:1([0-4]):00 \+0000" /.exec(c.args)?.[1]).filter((m) => m !== undefined);
    expect(firstOfRange2.sort(), appends.map((c) => c.args.slice(0, 60)).join('\n')).toEqual(['0', '1', '2', '3', '4']);
  });

  it('a throttling answer to an APPEND is waited out once (not twice) and every message is copied once', async () => {
    // One folder, so the next command after the answer is the throttled copy's own.
    const address = await seededPair(lab, 'rel-dstthrottle', bulkCorpus(30, { folders: 1, bodyBytes: 6000, seed: 'rel-dstthrottle' }));
    proxy = await FaultProxy.forLab(lab, 'destination');
    proxy.addFault({ on: { name: 'APPEND', nth: 7 }, action: throttledAnswer(1000) });
    // One APPEND at a time, so "the next command" is one sent after the answer arrived.
    const run = await runThroughEngine(lab, [address], { destination: proxy, settings: { ...SMALL_RANGES, APPEND_PIPELINE_DEPTH: '0' } });
    expect(proxy.fired.map((f) => f.action)).toEqual(['answer']);
    await expectExactCopy(lab, address, run);
    // imapflow already holds the connection for the suggested time before it rejects the APPEND;
    // the engine must not sit out the same time again on top of that.
    const t = proxy.fired[0]!.at;
    const next = proxy.commands.find((c) => c.at > t && c.name !== 'LOGOUT')!;
    expect(next.at - t).toBeGreaterThanOrEqual(1000);
    expect(next.at - t, `next command: ${next.name} on connection ${next.connection}`).toBeLessThan(1600);
  });

  it('a connection cut after 40 KB from the client (mid-APPEND stream) is retried and every message is copied once', async () => {
    const address = await seededPair(lab, 'rel-c2scut', corpus('rel-c2scut'));
    proxy = await FaultProxy.forLab(lab, 'destination');
    proxy.cutAfterBytes({ direction: 'client-to-server', afterBytes: 40_000 });
    const run = await runThroughEngine(lab, [address], { destination: proxy, settings: SMALL_RANGES });
    expect(proxy.fired.map((f) => f.action)).toEqual(['cut-after-bytes']);
    await expectExactCopy(lab, address, run);
  });

  it('a destination over quota: the mailbox is reported failed with OVER_QUOTA, nothing is duplicated, and a run after the quota is raised completes the copy exactly', async () => {
    // ~6.3 KB messages, a 40 KB quota: the 7th APPEND or so is refused.
    const address = await seededPair(lab, 'rel-quota', corpus('rel-quota'), { quotaBytes: 40_000 });
    proxy = await FaultProxy.forLab(lab, 'destination');
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-quota-'));
    const run = await runThroughEngine(lab, [address], { destination: proxy, settings: SMALL_RANGES, stateDir });
    const [mailbox] = run.report.mailboxes;
    expect(mailbox!.state, run.log.join('\n')).toBe('failed');
    expect(mailbox!.error?.code ?? mailbox!.folders.find((f) => f.error)?.error?.code).toBe('OVER_QUOTA');
    const cmp = await compareCopy(lab, address);
    expect(cmp.extra).toEqual([]);
    expect(cmp.diffs.filter((d) => !d.includes(': missing '))).toEqual([]);
    expect(await duplicatesAtDestination(lab, address)).toEqual([]);
    expect(cmp.missing.length).toBeGreaterThan(0);

    await addMailbox(lab, 'destination', address, { quotaBytes: 10_000_000 });
    const again = await runThroughEngine(lab, [address], { destination: proxy, settings: SMALL_RANGES, stateDir });
    await expectExactCopy(lab, address, again);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bulkCorpus } from '../../lab/corpus.js';
import { FaultProxy, throttledAnswer, TOKEN_EXPIRED_BYE } from '../../lab/fault-proxy.js';
import { getLab, type LabInfo } from '../../lab/lab-info.js';
import { runThroughEngine } from '../../support/engine-run.js';
import { expectExactCopy } from '../../support/expect-copy.js';
import { withImap } from '../../lab/imap.js';
import type { CommandLine } from '../../lab/fault-proxy-stream.js';
import { seededPair } from '../../support/lab-mailbox.js';

/**
 * Faults between the engine and the source (the Exchange-like Dovecot). Each test copies one
 * mailbox through a fault proxy and requires an exact copy: nothing missing, nothing twice.
 */

let lab: LabInfo;
let proxy: FaultProxy;

/** Small ranges, so a fault lands in the middle of a folder with ranges done before and after it. */
const SMALL_RANGES = { RANGE_MAX_MESSAGES: '10' };

describe('reliability: faults on the source connection', () => {
  beforeAll(() => {
    lab = getLab();
  });
  afterEach(async () => {
    await proxy.stop();
  });

  it('a connection cut in the middle of a body FETCH response is retried and every message is copied once', async () => {
    const address = await seededPair(lab, 'rel-fetchcut', bulkCorpus(60, { folders: 2, bodyBytes: 3000, seed: 'rel-fetchcut' }));
    proxy = await FaultProxy.forLab(lab, 'source');
    proxy.addFault({ on: { name: 'UID FETCH', args: /BODY/, nth: 3 }, action: { kind: 'cut-in-response', afterBytes: 8000 } });
    const run = await runThroughEngine(lab, [address], { source: proxy, settings: SMALL_RANGES });
    expect(proxy.fired.map((f) => f.action)).toEqual(['cut-in-response']);
    await expectExactCopy(lab, address, run);
  });

  it('a source that stops answering a body FETCH is given up after IMAP_RESPONSE_TIMEOUT_SECONDS, and the range retried: every message copied once', async () => {
    const address = await seededPair(lab, 'rel-srcsilent', bulkCorpus(60, { folders: 2, bodyBytes: 3000, seed: 'rel-srcsilent' }));
    proxy = await FaultProxy.forLab(lab, 'source');
    proxy.addFault({ on: { name: 'UID FETCH', args: /BODY/, nth: 2 }, action: { kind: 'delay', ms: 4000 } });
    const t0 = Date.now();
    const run = await runThroughEngine(lab, [address], { source: proxy, settings: { ...SMALL_RANGES, IMAP_RESPONSE_TIMEOUT_SECONDS: '1' } });
    expect(proxy.fired.map((f) => f.action)).toEqual(['delay']);
    // No other fault is armed: the warning is the timeout (imapflow reports it as its connection closing).
    expect(run.log.join('\n')).toMatch(/IMAP_TIMEOUT|IMAP_CONNECTION_FAILED/);
    await expectExactCopy(lab, address, run);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('a source that leaves UIDNEXT out of its EXAMINE answers (RFC 3501 allows it) still gives an exact copy, twice', async () => {
    const address = await seededPair(lab, 'rel-nouidnext', bulkCorpus(30, { folders: 2, bodyBytes: 2000, seed: 'rel-nouidnext' }));
    proxy = await FaultProxy.forLab(lab, 'source');
    proxy.dropServerLines(/^\* OK \[UIDNEXT /i);
    const stateDir = mkdtempSync(join(tmpdir(), 'mailmig-nouidnext-'));
    const run = await runThroughEngine(lab, [address], { source: proxy, settings: SMALL_RANGES, stateDir });
    await expectExactCopy(lab, address, run);
    expect(proxy.commands.some((c) => c.name === 'UID FETCH' && /^\* \(UID\)/.test(c.args))).toBe(true);
    // A second pass finds nothing to copy.
    const again = await runThroughEngine(lab, [address], { source: proxy, settings: SMALL_RANGES, stateDir });
    expect(again.report.mailboxes[0]!.totals.copiedThisPass).toBe(0);
    await expectExactCopy(lab, address, again);
  });

  it('a source without SASL-IR is read through imapflow (the raw connection refuses it), and the copy is exact, faults and all', async () => {
    const address = await seededPair(lab, 'rel-src-nosaslir', bulkCorpus(60, { folders: 2, bodyBytes: 3000, seed: 'rel-src-nosaslir' }));
    proxy = await FaultProxy.forLab(lab, 'source');
    proxy.hideCapabilities(['SASL-IR']);
    proxy.addFault({ on: { name: 'UID FETCH', args: /BODY/, nth: 3 }, action: { kind: 'cut-in-response', afterBytes: 8000 } });
    const run = await runThroughEngine(lab, [address], { source: proxy, settings: SMALL_RANGES });
    expect(proxy.fired.map((f) => f.action)).toEqual(['cut-in-response']);
    await expectExactCopy(lab, address, run);
    // Raw source connections tag their commands S1, S2, …: none may have carried LIST, STATUS or FETCH.
    expect(proxy.commands.filter((c) => c.tag.startsWith('S') && /LIST|STATUS|FETCH|EXAMINE/.test(c.name))).toEqual([]);
    expect(proxy.commands.filter((c) => /FETCH/.test(c.name)).length).toBeGreaterThan(0);
  });

  it('a connection cut after a number of bytes from the server is retried and every message is copied once', async () => {
    const address = await seededPair(lab, 'rel-bytecut', bulkCorpus(60, { folders: 2, bodyBytes: 3000, seed: 'rel-bytecut' }));
    proxy = await FaultProxy.forLab(lab, 'source');
    proxy.cutAfterBytes({ direction: 'server-to-client', afterBytes: 50_000 });
    const run = await runThroughEngine(lab, [address], { source: proxy, settings: SMALL_RANGES });
    expect(proxy.fired.map((f) => f.action)).toEqual(['cut-after-bytes']);
    await expectExactCopy(lab, address, run);
  });

  it('BYE AccessTokenExpired in the middle of a range (after 200 of 250 messages) ends with every message copied once', async () => {
    // One range of 250 messages: bodies are fetched 200 at a time, so the 2nd body FETCH is mid-range.
    const address = await seededPair(lab, 'rel-bye', bulkCorpus(250, { folders: 1, bodyBytes: 400, seed: 'rel-bye' }));
    proxy = await FaultProxy.forLab(lab, 'source');
    proxy.addFault({ on: { name: 'UID FETCH', args: /BODY/, nth: 2 }, action: TOKEN_EXPIRED_BYE });
    const run = await runThroughEngine(lab, [address], { source: proxy });
    expect(proxy.fired.map((f) => f.action)).toEqual(['bye']);
    expect(run.log.join('\n')).toMatch(/IMAP_TOKEN_EXPIRED|IMAP_CONNECTION_FAILED/);
    await expectExactCopy(lab, address, run);
  });

  it('a throttling answer (Suggested Backoff Time: 1500 milliseconds) is waited out, then every message is copied once', async () => {
    const address = await seededPair(lab, 'rel-throttle', bulkCorpus(40, { folders: 2, bodyBytes: 2000, seed: 'rel-throttle' }));
    proxy = await FaultProxy.forLab(lab, 'source');
    proxy.addFault({ on: { name: 'UID FETCH', args: /BODY/, nth: 2 }, action: throttledAnswer(1500) });
    const run = await runThroughEngine(lab, [address], { source: proxy, settings: SMALL_RANGES });
    expect(proxy.fired.map((f) => f.action)).toEqual(['answer']);
    await expectExactCopy(lab, address, run);
    // imapflow itself waits out a throttled FETCH on that connection and sends it again, so the
    // engine may never see the error: what counts is that the server was left alone meanwhile.
    // (Whether the mailbox's OTHER connections pause too is throttle-gate.test.ts.)
    const { at, connection } = proxy.fired[0]!;
    const next = proxy.commands.find((c) => c.at > at && c.connection === connection);
    expect(next, 'the throttled connection was used again').toBeDefined();
    expect(next!.at - at).toBeGreaterThanOrEqual(1500);
  });

  it('a slow source (every chunk delayed 20 ms) still gives an exact copy', async () => {
    const address = await seededPair(lab, 'rel-slow', bulkCorpus(30, { folders: 2, bodyBytes: 2000, seed: 'rel-slow' }));
    proxy = await FaultProxy.forLab(lab, 'source');
    proxy.setLatency(20);
    const run = await runThroughEngine(lab, [address], { source: proxy, settings: SMALL_RANGES });
    await expectExactCopy(lab, address, run);
  });

  it('a source that drops the connection at LIST, again and again, is retried with a warning line per retry (code and next attempt), then copied exactly', async () => {
    const address = await seededPair(lab, 'rel-listcut', bulkCorpus(10, { folders: 1, bodyBytes: 1000, seed: 'rel-listcut' }));
    proxy = await FaultProxy.forLab(lab, 'source');
    proxy.addFault({ on: { name: 'LIST', times: 2 }, action: { kind: 'cut' } });
    const run = await runThroughEngine(lab, [address], { source: proxy });
    expect(proxy.fired.map((f) => f.action)).toEqual(['cut', 'cut']);
    const retries = run.log.filter((l) => l.startsWith(`warning: ${address}: IMAP_CONNECTION_FAILED, retry `));
    expect(retries.map((l) => /retry (\d+) in (\d+) ms/.exec(l)!.slice(1).map(Number)), run.log.join('\n')).toEqual([[1, 50], [2, 100]]);
    await expectExactCopy(lab, address, run);
  });

  describe('a message expunged at the source between its metadata and its body FETCH', () => {
    /** Deletes the 5th UID the body FETCH asks for, at the source, before the FETCH reaches it; returns that UID. */
    const expungeFifth = (address: string, expunged: number[]) => async (cmd: CommandLine): Promise<void> => {
      const uids = /^(\S+)/.exec(cmd.args)![1]!.split(',').flatMap((p) => {
        const [a, b] = p.split(':').map(Number);
        return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
      });
      const uid = uids[4]!;
      await withImap(lab, 'source', address, async (c) => {
        const lock = await c.getMailboxLock('Bulk/001');
        try {
          await c.messageDelete(String(uid), { uid: true });
        } finally {
          lock.release();
        }
      });
      expunged.push(uid);
    };

    for (const path of ['raw', 'imapflow'] as const) {
      it(`is counted as vanished, never appended nor failed, and the rest is copied exactly (${path} source connection)`, async () => {
        const address = await seededPair(lab, `rel-vanish-${path}`, bulkCorpus(30, { folders: 1, bodyBytes: 1500, seed: `rel-vanish-${path}` }));
        proxy = await FaultProxy.forLab(lab, 'source');
        if (path === 'imapflow') proxy.hideCapabilities(['SASL-IR']);
        const expunged: number[] = [];
        proxy.addFault({ on: { name: 'UID FETCH', args: /BODY/, nth: 2 }, action: { kind: 'hold', run: expungeFifth(address, expunged) } });
        const run = await runThroughEngine(lab, [address], { source: proxy, settings: SMALL_RANGES });
        expect(expunged).toHaveLength(1);
        await expectExactCopy(lab, address, run);
        const folder = run.report.mailboxes[0]!.folders.find((f) => f.sourcePath === 'Bulk/001')!;
        expect({ copied: folder.copied, failed: folder.failedCount, vanished: folder.vanished }).toEqual({ copied: 29, failed: 0, vanished: 1 });
      });
    }
  });
});

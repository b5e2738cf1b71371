import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobHandler } from '../../../../functions/lib/blob-handler.js';
import { getLab, type LabInfo } from '../../../lab/lab-info.js';
import { bulkCorpus } from '../../../lab/corpus.js';
import { FaultProxy } from '../../../lab/fault-proxy.js';
import { runThroughEngine } from '../../../support/engine-run.js';
import { compareCopy, seededPair } from '../../../support/lab-mailbox.js';
import { appUnderTest, blobContext, type AppUnderTest } from '../../../support/durable-app/app-under-test.js';

let lab: LabInfo;
let source: FaultProxy;
const apps: AppUnderTest[] = [];

const CAP = 256 * 1024;
const MESSAGE = 64 * 1024;
/** 18 messages of 64 KiB in 3 folders: ~1.2 MB, about 4.5 s at the cap. */
const corpus = (seed: string, n = 18) => bulkCorpus(n, { folders: 3, bodyBytes: MESSAGE, seed });
/** Every folder on its own connection pair, small ranges: the cap is shared by 3 connections. */
const SPREAD = { MAX_CONNECTIONS_PER_MAILBOX: '3', MESSAGES_PER_FOLDER_WORKER: '1', RANGE_MAX_MESSAGES: '2' };
/**
 * What may cross the wire beyond cap × time in any stretch: the bucket's burst (a quarter second)
 * and, per connection, one FETCH reserved just before the stretch began (one 64 KiB message here).
 */
const SLACK = CAP / 4 + 3 * (MESSAGE + 4096);

/** Bytes the source sent (FETCH bodies and every answer), chunk by chunk, as the proxy passed them on. */
function wire(samples: readonly { at: number; bytes: number }[]) {
  const bytes = samples.reduce((n, s) => n + s.bytes, 0);
  const spanMs = samples.length > 1 ? samples[samples.length - 1]!.at - samples[0]!.at : 0;
  /** The highest rate over any stretch of at least `minMs` (bytes/s). */
  const peak = (minMs: number): number => {
    let best = 0;
    let j = 0;
    let sum = 0;
    for (let i = 0; i < samples.length; i++) {
      while (j < samples.length && samples[j]!.at - samples[i]!.at < minMs) sum += samples[j++]!.bytes;
      if (j >= samples.length) break;
      best = Math.max(best, ((sum + samples[j]!.bytes) / (samples[j]!.at - samples[i]!.at)) * 1000);
      sum -= samples[i]!.bytes;
    }
    return best;
  };
  return { bytes, spanMs, peak };
}

/** The cap held on the wire: the copy took at least its bytes' time at the cap (less the slack), and no 2 s stretch ran faster than the cap allows. */
function expectCapped(name: string, samples: readonly { at: number; bytes: number }[], cap: number): void {
  const w = wire(samples);
  const line = `[measure] ${name}: ${w.bytes} B from the source in ${w.spanMs} ms = ${Math.round((w.bytes / w.spanMs) * 1000)} B/s (cap ${cap}), peak over 2 s ${Math.round(w.peak(2000))} B/s`;
  console.log(line);
  expect(w.spanMs, line).toBeGreaterThanOrEqual(((w.bytes - SLACK) / cap) * 1000);
  expect(w.peak(2000), line).toBeLessThanOrEqual(cap + SLACK / 2);
}

describe('bandwidth cap, measured as bytes over time on the wire', () => {
  beforeAll(async () => {
    lab = getLab();
    source = await FaultProxy.forLab(lab, 'source');
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await source.stop();
  });

  it('without a cap the same copy runs well above it (what the capped runs measure is the cap)', async () => {
    const address = await seededPair(lab, 'bwfree', corpus('bwfree'));
    source.meter('server-to-client');
    const run = await runThroughEngine(lab, [address], { source, settings: SPREAD });
    expect(run.report.mailboxes[0]!.state, run.log.join('\n')).toBe('completed');
    const w = wire(source.meterSamples());
    console.log(`[measure] no cap: ${w.bytes} B from the source in ${w.spanMs} ms = ${Math.round((w.bytes / w.spanMs) * 1000)} B/s`);
    expect((w.bytes / w.spanMs) * 1000).toBeGreaterThan(2 * CAP);
  });

  it('CLI driver, per mailbox (MAX_BYTES_PER_SECOND_PER_MAILBOX): one mailbox on 3 connections keeps to the cap together; the copy is exact', async () => {
    const address = await seededPair(lab, 'bwmb', corpus('bwmb'));
    source.meter('server-to-client');
    const run = await runThroughEngine(lab, [address], { source, settings: { ...SPREAD, MAX_BYTES_PER_SECOND_PER_MAILBOX: String(CAP) } });
    expect(run.report.mailboxes[0]!.state, run.log.join('\n')).toBe('completed');
    expect(run.report.mailboxes[0]!.bandwidth).toEqual({ mailboxBytesPerSecond: CAP });
    expectCapped('CLI, mailbox cap', source.meterSamples(), CAP);
    expect((await compareCopy(lab, address)).diffs).toEqual([]);
  });

  it('CLI driver, per batch (MAX_BYTES_PER_SECOND_PER_BATCH): two mailboxes at once share the cap; the copies are exact', async () => {
    const [a, b] = await Promise.all([seededPair(lab, 'bwba', corpus('bwba', 9)), seededPair(lab, 'bwbb', corpus('bwbb', 9))]);
    source.meter('server-to-client');
    const run = await runThroughEngine(lab, [a, b], { source, settings: { ...SPREAD, MAX_BYTES_PER_SECOND_PER_BATCH: String(CAP) } });
    expect(run.report.mailboxes.map((m) => m.state), run.log.join('\n')).toEqual(['completed', 'completed']);
    expectCapped('CLI, batch cap, 2 mailboxes', source.meterSamples(), CAP);
    for (const address of [a, b]) expect((await compareCopy(lab, address)).diffs).toEqual([]);
  });

  it('Functions app, per row (MaxBytesPerSecond column): the mailbox\'s folder activities keep to the cap together within the instance; the copy is exact', async () => {
    const address = await seededPair(lab, 'bwfn', corpus('bwfn'));
    const app = appUnderTest({ ...SPREAD, SOURCE_IMAP_PORT: String(source.port) }, undefined, { autoCutover: true });
    apps.push(app);
    const csv = Buffer.from(`Email,MaxBytesPerSecond\n${address},${CAP}\n`);
    await app.blobs.put('migrations', 'incoming/bw.csv', csv, 'text/csv');
    source.meter('server-to-client');
    const id = ((await blobHandler(app.deps)(csv, blobContext('bw.csv'))) as { batchId: string }).batchId;
    const run = await app.client.settled(id);
    expect(run.status, run.error).toBe('Completed');
    // The copy pass only: the cut-over's verification reads headers, not bodies, and is not capped.
    expectCapped('Functions, row cap', source.meterSamples().filter((s) => s.bytes > 0), CAP);
    expect((await compareCopy(lab, address)).diffs).toEqual([]);
  });
});

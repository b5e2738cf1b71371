import { expect } from 'vitest';
import { BlobStore } from '../../shared/adapters/blob/blob-store.js';
import { loadSettings } from '../../shared/config/settings.js';
import { TRIGGERS } from '../../shared/contracts/functions.js';
import { batchIdForBlob } from '../../shared/engine/batch-ids.js';
import type { BatchStatus } from '../../shared/contracts/orchestration.js';
import type { BatchReport } from '../../shared/contracts/report.js';
import { EXCHANGE_TO_STANDARD_FOLDERS } from '../lab/corpus.js';
import { engineUnavailable, startDurableEngine, type DurableEngine } from '../lab/durable-engine/engine.js';
import type { HttpAnswer, HubInventory } from '../lab/durable-engine/worker-protocol.js';
import { labSettings, type LabInfo } from '../lab/lab-info.js';
import { compareSnapshots, snapshotMailbox } from '../lab/snapshot.js';

/**
 * Helpers for the tests that run the app on the real Durable Task engine
 * (test/functions/real-engine/): the engine per test file, the app's blob and HTTP triggers
 * through it, and waits on what its status endpoint answers.
 */

/**
 * Why these tests cannot run here. Only a missing .NET SDK skips them, and never in CI, where
 * setup.sh has built the engine host: there a missing SDK is a failure, not a skip.
 */
export function realEngineSkipReason(): string | undefined {
  const reason = engineUnavailable();
  if (reason === undefined) return undefined;
  if (process.env.CI) throw new Error(`${reason}; CI must run these tests`);
  console.warn(`[real-engine] skipped: ${reason}`);
  return reason;
}

export interface RealApp {
  engine: DurableEngine;
  blobs: BlobStore;
  settings: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The app on its own engine and task hub, with the lab's settings (plus `overrides`) as app
 * settings and host.json's durableTask section (plus `engineOverrides`, see EngineOptions).
 */
export async function startRealApp(lab: LabInfo, overrides: Record<string, string> = {}, engineOverrides: Record<string, string> = {}): Promise<RealApp> {
  const settings = labSettings(lab, { CHECKPOINT_TABLE: `cp${Math.random().toString(36).slice(2, 10)}`, ...overrides });
  const engine = await startDurableEngine(lab, { settings, overrides: engineOverrides });
  const blobs = BlobStore.fromSettings(loadSettings(settings), settings);
  return { engine, blobs, settings, stop: () => engine.stop() };
}

/**
 * A CSV created under migrations/incoming/, and the blob trigger's event for it (delivered once).
 * Returns the batch id the trigger derives from the blob (the registered handler returns nothing).
 */
export async function dropCsv(app: RealApp, name: string, csv: Buffer): Promise<string> {
  await app.blobs.put('migrations', `incoming/${name}`, csv, 'text/csv');
  await deliverBlobEvent(app, name, csv);
  return batchIdForBlob('migrations', `incoming/${name}`, csv);
}

export async function deliverBlobEvent(app: RealApp, name: string, csv: Buffer): Promise<void> {
  await app.engine.trigger(TRIGGERS.onMigrationCsvUploaded, { blob: { name, base64: csv.toString('base64') } });
}

export interface StatusBody {
  id: string;
  runtimeStatus: string;
  progress: BatchStatus | null;
}

const api = (id: string, what = ''): string => `http://localhost/api/migrations/${id}${what}`;

export async function batchStatus(app: RealApp, id: string): Promise<HttpAnswer & { jsonBody: StatusBody }> {
  return (await app.engine.http(TRIGGERS.httpMigrationStatus, { method: 'GET', url: api(id), params: { id } })) as HttpAnswer & { jsonBody: StatusBody };
}

export async function postBatch(app: RealApp, trigger: string, id: string, what: string): Promise<HttpAnswer> {
  return app.engine.http(trigger, { method: 'POST', url: api(id, `/${what}`), params: { id }, body: '' });
}

/** Polls the HTTP status endpoint until `done` holds; fails on a failed or terminated batch. */
export async function waitForBatch(app: RealApp, id: string, done: (s: StatusBody) => boolean, timeoutMs = 240_000): Promise<StatusBody> {
  const deadline = Date.now() + timeoutMs;
  let last: StatusBody | undefined;
  for (;;) {
    const r = await batchStatus(app, id);
    if (r.status === 200) {
      last = r.jsonBody;
      if (done(last)) return last;
      if (last.runtimeStatus === 'Failed') throw new Error(`batch ${id} failed: ${JSON.stringify(last)}\n${app.engine.output()}`);
    }
    if (Date.now() > deadline) throw new Error(`batch ${id}: timed out; last status ${JSON.stringify(last)}\n${app.engine.output()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const waitingAfterPass = (pass: number) => (s: StatusBody): boolean => s.runtimeStatus === 'Running' && s.progress?.phase === 'waiting' && s.progress.pass === pass;

export async function readReport(app: RealApp, path: string): Promise<BatchReport> {
  const b = await app.blobs.get('reports', path);
  if (b === undefined) throw new Error(`no report ${path}`);
  return JSON.parse(b.toString('utf8')) as BatchReport;
}

/** Source and destination compared message by message: (sha256, flags, internal date) per folder. */
export async function expectExactCopy(lab: LabInfo, address: string): Promise<void> {
  const cmp = compareSnapshots(await snapshotMailbox(lab, 'source', address), await snapshotMailbox(lab, 'destination', address), { folderMap: EXCHANGE_TO_STANDARD_FOLDERS });
  expect(cmp.diffs, address).toEqual([]);
}

/** Every table row, queued message and blob of a task hub, keyed by where it is: what a secret scan reads. */
export function hubTexts(hub: HubInventory): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [table, rows] of Object.entries(hub.Tables)) rows.forEach((r, i) => (texts[`${table}#${i}`] = JSON.stringify(r)));
  for (const [queue, messages] of Object.entries(hub.Queues)) messages.forEach((m, i) => (texts[`${queue}#${i}`] = m));
  for (const [blob, content] of Object.entries(hub.Blobs)) texts[blob] = content;
  return texts;
}

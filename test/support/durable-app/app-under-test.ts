import { InvocationContext } from '@azure/functions';
import { loadSettings, type Settings } from '../../../shared/config/settings.js';
import { BlobStore } from '../../../shared/adapters/blob/blob-store.js';
import { createEngine, createPairLeases, type Engine } from '../../../shared/composition/create-engine.js';
import { createNotifier } from '../../../shared/adapters/notify/webhook-notifier.js';
import { consentHint } from '../../../functions/lib/consent-link.js';
import { createActivities, type Activities } from '../../../functions/activities/handlers.js';
import { migrateBatch } from '../../../functions/orchestrators/migrateBatch.js';
import { migrateMailbox } from '../../../functions/orchestrators/migrateMailbox.js';
import { migrateFolder } from '../../../functions/orchestrators/migrateFolder.js';
import { migrateFolderLane } from '../../../functions/orchestrators/migrateFolderLane.js';
import { ACTIVITIES, ORCHESTRATORS } from '../../../shared/contracts/functions.js';
import { BATCH_EVENTS } from '../../../shared/contracts/orchestration.js';
import type { HttpDeps } from '../../../functions/lib/http-handlers.js';
import { ReplayHost, type ActivityFunction, type InstanceSnapshot } from '../durable-harness/index.js';
import { getLab, labSettings } from '../../lab/lab-info.js';
import { LocalDurableClient } from './local-client.js';

export interface AppUnderTest {
  settings: Settings;
  engine: Engine;
  blobs: BlobStore;
  activities: Activities;
  host: ReplayHost;
  client: LocalDurableClient;
  deps: HttpDeps;
  close(): Promise<void>;
}

export const ORCHESTRATOR_HANDLERS = {
  [ORCHESTRATORS.migrateBatch]: migrateBatch,
  [ORCHESTRATORS.migrateMailbox]: migrateMailbox,
  [ORCHESTRATORS.migrateFolder]: migrateFolder,
  [ORCHESTRATORS.migrateFolderLane]: migrateFolderLane,
};

/**
 * The Functions app as the host would run it, minus the host: real orchestrators through the
 * replay executor, real activities over the real engine against the lab (Dovecot, local Entra and
 * Key Vault, Azurite for blobs and the Table ledger), real trigger handlers.
 */
export interface AppOptions {
  /** Raise the cut-over event when the first (copy) pass has written its report, so a staged batch ends in the test. */
  autoCutover?: boolean;
}

export function appUnderTest(overrides: Record<string, string> = {}, wrap: (a: Activities) => Record<string, ActivityFunction> = (a) => a, opts: AppOptions = {}): AppUnderTest {
  const env = labSettings(getLab(), { CHECKPOINT_TABLE: `cp${Math.random().toString(36).slice(2, 10)}`, ...overrides });
  const settings = loadSettings(env);
  const engine = createEngine(settings, env, { log: { info: () => undefined, warn: () => undefined }, state: 'table', tokenCaches: 'blob', consentHint: consentHint(settings) });
  const blobs = BlobStore.fromSettings(settings, env);
  const activities = createActivities({ engine, blobs, reportsContainer: settings.reportsContainer, leases: createPairLeases(settings, env), notify: createNotifier(settings.notifyWebhookSecretName, engine.secrets, engine.log) });
  const wrapped = wrap(activities);
  // Assigned below: the activity needs the host, the host needs the activities.
  const hostRef: { host?: ReplayHost } = {};
  if (opts.autoCutover) {
    const inner = wrapped[ACTIVITIES.writeBatchReport]!;
    wrapped[ACTIVITIES.writeBatchReport] = async (input: { batchId: string; final?: boolean }, ctx: InvocationContext) => {
      const r = await inner(input, ctx);
      if (!input.final) hostRef.host!.raiseEvent(input.batchId, BATCH_EVENTS.cutover, {});
      return r;
    };
  }
  // Orchestrations start at the wall clock, as in the Functions host: their time (currentUtcDateTime)
  // ends up in reports beside the activities' own (a mailbox report's startedAt and finishedAt).
  const host = new ReplayHost({ orchestrators: ORCHESTRATOR_HANDLERS, activities: wrapped, now: () => new Date() });
  hostRef.host = host;
  const client = new LocalDurableClient(host);
  const deps: HttpDeps = { client: () => client, blobs: () => blobs, settings: () => settings };
  return { settings, engine, blobs, activities, host, client, deps, close: () => engine.close() };
}

export function blobContext(name: string): InvocationContext {
  return new InvocationContext({ functionName: 'onMigrationCsvUploaded', triggerMetadata: { name }, logHandler: () => undefined });
}

/** Every instance started below `instanceId` (children, their children, …), depth first. */
export function descendants(host: ReplayHost, instanceId: string): InstanceSnapshot[] {
  const out: InstanceSnapshot[] = [];
  for (const id of host.instance(instanceId)?.stats.childInstanceIds ?? []) {
    const child = host.instance(id);
    if (!child) continue;
    out.push(child, ...descendants(host, id));
  }
  return out;
}

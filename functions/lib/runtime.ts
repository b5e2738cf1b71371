import { loadSettings, type Settings } from '../../shared/config/settings.js';
import { BlobStore } from '../../shared/adapters/blob/blob-store.js';
import { createEngine, createPairLeases, redactingLogger, type Engine } from '../../shared/composition/create-engine.js';
import { createNotifier } from '../../shared/adapters/notify/webhook-notifier.js';
import { ConsentSealer } from '../../shared/adapters/auth/consent-state.js';
import { consentHint } from './consent-link.js';
import { createActivities, type Activities } from '../activities/handlers.js';

export interface Runtime {
  settings: Settings;
  engine: Engine;
  blobs: BlobStore;
  activities: Activities;
  consent: ConsentSealer;
}

let runtime: Runtime | undefined;

/**
 * One runtime per worker process, built on first use: settings validated once, one MSAL
 * client per side, one Key Vault client, one IMAP session pool, one Table ledger.
 */
export function getRuntime(env: NodeJS.ProcessEnv = process.env): Runtime {
  if (!runtime) {
    const settings = loadSettings(env);
    const engine = createEngine(settings, env, { log: redactingLogger((l) => console.log(l)), state: 'table', tokenCaches: 'blob', consentHint: consentHint(settings) });
    const blobs = BlobStore.fromSettings(settings, env);
    runtime = { settings, engine, blobs, consent: new ConsentSealer(engine.secrets, settings.tokenCacheKeyName), activities: createActivities({ engine, blobs, reportsContainer: settings.reportsContainer, leases: createPairLeases(settings, env), notify: createNotifier(settings.notifyWebhookSecretName, engine.secrets, engine.log), ...(settings.dashboardUrl ? { dashboardUrl: settings.dashboardUrl } : {}) }) };
  }
  return runtime;
}

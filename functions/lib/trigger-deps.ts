import { getRuntime } from './runtime.js';
import { hostClient } from './df-client.js';
import type { HttpDeps } from './http-handlers.js';
import type { ConsentDeps } from './consent-handlers.js';

/** What the registered triggers use on the host: the real durable client and the process runtime. */
export const hostDeps: HttpDeps = {
  client: hostClient,
  blobs: () => getRuntime().blobs,
  settings: () => getRuntime().settings,
};

/** The consent routes on the host: the runtime's dialer and the sealer over its secrets. */
export const consentDeps: ConsentDeps = {
  settings: () => getRuntime().settings,
  sealer: () => getRuntime().consent,
  flow: () => getRuntime().engine.dialer,
};

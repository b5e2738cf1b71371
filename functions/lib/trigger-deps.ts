import { getRuntime } from './runtime.js';
import { hostClient } from './df-client.js';
import type { HttpDeps } from './http-handlers.js';

/** What the registered triggers use on the host: the real durable client and the process runtime. */
export const hostDeps: HttpDeps = {
  client: hostClient,
  blobs: () => getRuntime().blobs,
  settings: () => getRuntime().settings,
};

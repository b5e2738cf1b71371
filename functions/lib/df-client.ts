import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import type { DurableClientLike, OrchestrationStatusLike } from './durable-client.js';

/** Adapts the host's DurableClient to the narrow interface the triggers use. */
export function hostClient(context: InvocationContext): DurableClientLike {
  const client = df.getClient(context);
  return {
    startNew: (name, options) => client.startNew(name, options),
    async getStatus(instanceId): Promise<OrchestrationStatusLike | undefined> {
      try {
        const s = await client.getStatus(instanceId, { showInput: false, showHistory: false });
        return { instanceId: s.instanceId, runtimeStatus: String(s.runtimeStatus), customStatus: s.customStatus, output: s.output, createdTime: s.createdTime, lastUpdatedTime: s.lastUpdatedTime };
      } catch (e) {
        // v3 throws on an unknown instance (HTTP 404 from the extension).
        if (e instanceof Error && /404/.test(e.message)) return undefined;
        throw e;
      }
    },
    terminate: (instanceId, reason) => client.terminate(instanceId, reason),
    raiseEvent: (instanceId, eventName, data) => client.raiseEvent(instanceId, eventName, data),
    async runningWithPrefix(prefix): Promise<string[]> {
      const all = await client.getStatusBy({ runtimeStatus: [df.OrchestrationRuntimeStatus.Running, df.OrchestrationRuntimeStatus.Pending] });
      return all.map((s) => s.instanceId).filter((id) => id.startsWith(prefix));
    },
  };
}

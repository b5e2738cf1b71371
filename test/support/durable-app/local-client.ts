import type { DurableClientLike, OrchestrationStatusLike } from '../../../functions/lib/durable-client.js';
import type { ReplayHost, RunResult } from '../durable-harness/index.js';

/**
 * A durable client over the replay host, for calling the real triggers in tests: startNew runs
 * the orchestration to completion in the background; `settled(id)` awaits it.
 */
export class LocalDurableClient implements DurableClientLike {
  private readonly runs = new Map<string, Promise<RunResult>>();
  readonly started: string[] = [];

  constructor(private readonly host: ReplayHost) {}

  async startNew(name: string, options: { instanceId: string; input: unknown }): Promise<string> {
    if (this.runs.has(options.instanceId)) throw new Error(`instance ${options.instanceId} already exists`);
    this.started.push(options.instanceId);
    const run = this.host.run(name, options.input, { instanceId: options.instanceId });
    run.catch(() => undefined);
    this.runs.set(options.instanceId, run);
    return options.instanceId;
  }

  async getStatus(instanceId: string): Promise<OrchestrationStatusLike | undefined> {
    const s = this.host.instance(instanceId);
    if (!s) return undefined;
    return { instanceId, runtimeStatus: s.status, customStatus: s.customStatus, output: s.output };
  }

  async terminate(instanceId: string, reason: string): Promise<void> {
    this.host.terminate(instanceId, reason);
  }

  async raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void> {
    this.host.raiseEvent(instanceId, eventName, data);
  }

  async runningWithPrefix(prefix: string): Promise<string[]> {
    return this.started.filter((id) => id.startsWith(prefix) && this.host.instance(id)?.status === 'Running');
  }

  settled(instanceId: string): Promise<RunResult> {
    const r = this.runs.get(instanceId);
    if (!r) throw new Error(`instance ${instanceId} was never started`);
    return r;
  }
}

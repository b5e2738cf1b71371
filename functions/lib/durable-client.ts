/** The part of durable-functions' DurableClient the triggers use; tests pass a local one. */
export interface OrchestrationStatusLike {
  instanceId?: string;
  runtimeStatus?: string;
  customStatus?: unknown;
  output?: unknown;
  createdTime?: Date | string;
  lastUpdatedTime?: Date | string;
}

export interface DurableClientLike {
  startNew(orchestratorName: string, options: { instanceId: string; input: unknown }): Promise<string>;
  getStatus(instanceId: string): Promise<OrchestrationStatusLike | undefined>;
  terminate(instanceId: string, reason: string): Promise<void>;
  raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void>;
  /** Instances whose id starts with the prefix that are still running (children of a batch). */
  runningWithPrefix(prefix: string): Promise<string[]>;
}

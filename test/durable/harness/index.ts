// Drive real durable-functions orchestrators without the Functions host: see replay-host.ts.
export { DEFAULT_START_TIME, ReplayHost } from './replay-host.js';
export type { ActivityFunction, InstanceSnapshot, ReplayHostOptions, RunOptions, RunResult, RuntimeStatus } from './replay-host.js';
export type { ActivityCall, InstanceStats, TimerRecord } from './stats.js';
export type { TimerPurpose } from './host-replay.js';
export { HarnessError, NonDeterminismError, OrchestrationIdleError, SequenceMismatchError } from './errors.js';
export { REPLAY_SCHEMA, REPLAY_SCHEMA_NAME } from './durable-internals.js';

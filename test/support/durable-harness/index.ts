// Drive real durable-functions orchestrators without the Functions host: see orchestration-runner.ts.
export { DEFAULT_START_TIME, ReplayHost } from './orchestration-runner.js';
export type { ActivityFunction, InstanceSnapshot, ReplayHostOptions, RunOptions, RunResult, RuntimeStatus } from './orchestration-runner.js';
export type { ActivityCall, InstanceStats, TimerRecord } from './stats.js';
export type { TimerPurpose } from './dtfx-action-shim.js';
export { HarnessError, NonDeterminismError, OrchestrationIdleError, SequenceMismatchError } from './errors.js';
export { REPLAY_SCHEMA, REPLAY_SCHEMA_NAME } from './durable-internals.js';

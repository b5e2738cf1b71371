// Per-instance measurements, so tests can assert replay cost and payload limits
// (ARCHITECTURE.md: keep inputs, outputs and custom status small; continueAsNew before the
// history grows large).
import type { TimerPurpose } from './dtfx-action-shim.js';

export interface ActivityCall {
  name: string;
  /** 1 for the first try; callActivityWithRetry counts up. */
  attempt: number;
  generation: number;
  inputBytes: number;
  /** Serialized result size; undefined when the activity failed. */
  outputBytes: number | undefined;
  outcome: 'completed' | 'failed';
}

export interface TimerRecord {
  /** Sequence number (TimerCreated EventId) within its generation. */
  id: number;
  generation: number;
  purpose: TimerPurpose;
  createdAt: string;
  fireAt: string;
  /** fireAt − the orchestrator's currentUtcDateTime when the timer was created. */
  durationMs: number;
}

export interface InstanceStats {
  /** Orchestrator episodes (executor calls), not counting the determinism check's second replays. */
  episodes: number;
  /** 1 + continueAsNew count. */
  generations: number;
  continueAsNewCount: number;
  /** History length the executor replayed on the last episode of each generation. */
  historyEventsPerGeneration: number[];
  historyEventsMax: number;
  /** History length of the last episode of the last generation. */
  historyEventsFinal: number;
  /** Wall time spent in the executor, first replays only. */
  replayMs: number;
  /** Wall time spent in the determinism check's second replays. */
  checkReplayMs: number;
  /** Largest serialized orchestration input (the start input and every continueAsNew input), bytes of UTF-8 JSON. */
  maxInputBytes: number;
  maxOutputBytes: number;
  maxCustomStatusBytes: number;
  /** Each custom status an episode ended with, when it differs from the one before: what a client polling between episodes could see. */
  customStatuses: unknown[];
  activityCalls: ActivityCall[];
  /** Every durable timer the host created, retry timers and long-timer slices included. */
  timers: TimerRecord[];
  /** Sub-orchestration instance ids in the order they were started (retries repeat them). */
  childInstanceIds: string[];
}

export const emptyStats = (): InstanceStats => ({
  episodes: 0,
  generations: 0,
  continueAsNewCount: 0,
  historyEventsPerGeneration: [],
  historyEventsMax: 0,
  historyEventsFinal: 0,
  replayMs: 0,
  checkReplayMs: 0,
  maxInputBytes: 0,
  maxOutputBytes: 0,
  maxCustomStatusBytes: 0,
  customStatuses: [],
  activityCalls: [],
  timers: [],
  childInstanceIds: [],
});

export function recordHistoryLength(stats: InstanceStats, generation: number, events: number): void {
  stats.historyEventsPerGeneration[generation] = events;
  stats.historyEventsMax = Math.max(stats.historyEventsMax, events);
  stats.historyEventsFinal = events;
}

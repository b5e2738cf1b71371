// Typed access to the parts of durable-functions 3.5.0 that the package does not export: the
// replay executor behind `createOrchestrator`, the binding input, the history event classes and
// the enums the wire format uses. The package has no "exports" map, so deep paths resolve; it
// ships no .d.ts for lib/src, so each export is checked at load and given a minimal type here.
// A version bump that moves any of these fails loudly at import instead of misbehaving.
import type { InvocationContext } from '@azure/functions';
import type { OrchestrationHandler } from 'durable-functions';
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

function exportOf(path: string, name: string): unknown {
  const mod: unknown = load(`durable-functions/lib/src/${path}`);
  const value = typeof mod === 'object' && mod !== null ? (mod as Record<string, unknown>)[name] : undefined;
  if (value === undefined) {
    throw new Error(`durable-functions internals moved: ${path} no longer exports ${name} (the harness is written for 3.5.0)`);
  }
  return value;
}

/** The shape of every history event the executor reads (PascalCase, as the host sends them). */
export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: Date;
  Name?: string;
  Input?: string;
  Result?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: Date;
  Reason?: string;
  Details?: string;
  InstanceId?: string;
}

/** The options object the event classes' constructors read (HistoryEventOptions plus extras). */
export interface HistoryEventInit {
  eventId: number;
  timestamp: Date;
  isPlayed: boolean;
  name?: string;
  input?: string;
  result?: string;
  taskScheduledId?: number;
  timerId?: number;
  fireAt?: Date;
  reason?: string;
  details?: string;
  instanceId?: string;
}

type EventClass = new (init: HistoryEventInit) => HistoryEvent;
const eventClass = (name: string): EventClass => exportOf(`history/${name}`, name) as EventClass;

export const HistoryEvents = {
  OrchestratorStarted: eventClass('OrchestratorStartedEvent'),
  OrchestratorCompleted: eventClass('OrchestratorCompletedEvent'),
  ExecutionStarted: eventClass('ExecutionStartedEvent'),
  TaskScheduled: eventClass('TaskScheduledEvent'),
  TaskCompleted: eventClass('TaskCompletedEvent'),
  TaskFailed: eventClass('TaskFailedEvent'),
  TimerCreated: eventClass('TimerCreatedEvent'),
  TimerFired: eventClass('TimerFiredEvent'),
  SubOrchestrationInstanceCreated: eventClass('SubOrchestrationInstanceCreatedEvent'),
  SubOrchestrationInstanceCompleted: eventClass('SubOrchestrationInstanceCompletedEvent'),
  SubOrchestrationInstanceFailed: eventClass('SubOrchestrationInstanceFailedEvent'),
  EventRaised: eventClass('EventRaisedEvent'),
} as const;

/** Mirrors lib/src/history/HistoryEventType.js; checked against the library below. */
export const EventType = {
  ExecutionStarted: 0,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
} as const;

/** Mirrors lib/src/actions/ActionType.js (the `actionType` numbers in the actions JSON). */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

function assertMirrors(path: string, name: string, mirror: Record<string, number>): void {
  const real = exportOf(path, name) as Record<string, unknown>;
  for (const [key, value] of Object.entries(mirror)) {
    if (real[key] !== value) throw new Error(`durable-functions internals changed: ${name}.${key} is ${String(real[key])}, expected ${value}`);
  }
}
assertMirrors('history/HistoryEventType', 'HistoryEventType', EventType);
assertMirrors('actions/ActionType', 'ActionType', ActionType);

const replaySchema = exportOf('orchestrations/ReplaySchema', 'ReplaySchema') as Record<string, unknown>;
const latest = exportOf('orchestrations/ReplaySchema', 'LatestReplaySchema');
if (typeof latest !== 'number') throw new Error('durable-functions internals changed: LatestReplaySchema is not a number');

/**
 * The newest out-of-proc replay schema the library knows (V4 in 3.5.0). The host announces its
 * upper schema in the binding; announcing the newest makes `Task.all`/`Task.any` travel as nested
 * WhenAll/WhenAny actions (V2+) and long timers split in the SDK (V3+), as on a current host.
 */
export const REPLAY_SCHEMA: number = latest;
export const REPLAY_SCHEMA_NAME = String(replaySchema[String(latest)]);

/** The binding payload the host hands the orchestrator function (DurableOrchestrationInput). */
type DurableOrchestrationInputClass = new (
  instanceId: string,
  history: HistoryEvent[],
  input: unknown,
  longRunningTimerIntervalDuration: string,
  maximumShortTimerDuration: string,
  defaultHttpAsyncRequestSleepTimeMillseconds: number,
  schemaVersion: number,
  isReplaying: boolean,
  parentInstanceId: string,
) => object;

export const DurableOrchestrationInput = exportOf('util/testingUtils', 'DurableOrchestrationInput') as DurableOrchestrationInputClass;

/** `createOrchestrator(fn)` returns the same listener `df.app.orchestration` registers. */
export type OrchestratorListener = (trigger: object, context: InvocationContext) => Promise<unknown>;
export const createOrchestrator = exportOf('util/testingUtils', 'createOrchestrator') as (fn: OrchestrationHandler) => OrchestratorListener;

/** Azure Storage provider defaults, the same values DurableOrchestrationInput defaults to. */
export const MAXIMUM_SHORT_TIMER = '6.00:00:00';
export const LONG_RUNNING_TIMER_INTERVAL = '3.00:00:00';
export const MAXIMUM_SHORT_TIMER_MS = 6 * 24 * 3600_000;
export const LONG_RUNNING_TIMER_INTERVAL_MS = 3 * 24 * 3600_000;

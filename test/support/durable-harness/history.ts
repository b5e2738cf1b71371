// Builds history events with the library's own classes, in the layout the Durable Task Framework
// writes: each episode is OrchestratorStarted, the completions that woke it, the work it
// scheduled (EventId = the sequence number the orchestrator gave that task), OrchestratorCompleted.
// Only scheduling events carry an EventId; completions point back with TaskScheduledId/TimerId.
import { HistoryEvents, type HistoryEvent } from './durable-internals.js';

const NO_ID = -1;

export const orchestratorStarted = (at: Date): HistoryEvent =>
  new HistoryEvents.OrchestratorStarted({ eventId: NO_ID, timestamp: at, isPlayed: false });

export const orchestratorCompleted = (at: Date): HistoryEvent =>
  new HistoryEvents.OrchestratorCompleted({ eventId: NO_ID, timestamp: at, isPlayed: false });

export const executionStarted = (at: Date, name: string, inputJson: string): HistoryEvent =>
  new HistoryEvents.ExecutionStarted({ eventId: NO_ID, timestamp: at, isPlayed: false, name, input: inputJson });

export const taskScheduled = (at: Date, id: number, name: string, inputJson: string): HistoryEvent =>
  new HistoryEvents.TaskScheduled({ eventId: id, timestamp: at, isPlayed: false, name, input: inputJson });

export const taskCompleted = (at: Date, id: number, resultJson: string): HistoryEvent =>
  new HistoryEvents.TaskCompleted({ eventId: NO_ID, timestamp: at, isPlayed: false, taskScheduledId: id, result: resultJson });

export const taskFailed = (at: Date, id: number, reason: string, details: string): HistoryEvent =>
  new HistoryEvents.TaskFailed({ eventId: NO_ID, timestamp: at, isPlayed: false, taskScheduledId: id, reason, details });

export const timerCreated = (at: Date, id: number, fireAt: Date): HistoryEvent =>
  new HistoryEvents.TimerCreated({ eventId: id, timestamp: at, isPlayed: false, fireAt });

export const timerFired = (at: Date, id: number, fireAt: Date): HistoryEvent =>
  new HistoryEvents.TimerFired({ eventId: NO_ID, timestamp: at, isPlayed: false, timerId: id, fireAt });

export const subOrchestrationCreated = (at: Date, id: number, name: string, instanceId: string, inputJson: string): HistoryEvent =>
  new HistoryEvents.SubOrchestrationInstanceCreated({ eventId: id, timestamp: at, isPlayed: false, name, instanceId, input: inputJson });

export const subOrchestrationCompleted = (at: Date, id: number, resultJson: string): HistoryEvent =>
  new HistoryEvents.SubOrchestrationInstanceCompleted({ eventId: NO_ID, timestamp: at, isPlayed: false, taskScheduledId: id, result: resultJson });

export const subOrchestrationFailed = (at: Date, id: number, reason: string, details: string): HistoryEvent =>
  new HistoryEvents.SubOrchestrationInstanceFailed({ eventId: NO_ID, timestamp: at, isPlayed: false, taskScheduledId: id, reason, details });

export const eventRaised = (at: Date, name: string, inputJson: string): HistoryEvent =>
  new HistoryEvents.EventRaised({ eventId: NO_ID, timestamp: at, isPlayed: false, name, input: inputJson });

/**
 * Marks everything already in the history as played before a new episode is appended: the SDK
 * derives `context.df.isReplaying` from IsPlayed, and the host sets it on all past events.
 */
export function markPlayed(history: HistoryEvent[]): void {
  for (const event of history) event.IsPlayed = true;
}

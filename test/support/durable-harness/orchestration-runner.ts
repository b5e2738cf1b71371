// ReplayHost: runs orchestrations to completion without the Functions host, the way the host would.
//
// Each episode: call the real orchestrator listener with the history so far (replay from the top),
// replay the returned actions on the emulated host side (dtfx-action-shim.ts), append the new work as
// scheduling events, run it in-process, and append the completions as the next episode's events.
//
// Time is virtual and per instance: it starts at a fixed date, activities take no time, and a
// timer moves the clock to its fireAt only when nothing else is left to run. A sub-orchestration
// starts at its parent's time and its completion arrives at the child's final time.
import { InvocationContext } from '@azure/functions';
import type { OrchestrationHandler } from 'durable-functions';
import { diffEpisodes } from './determinism.js';
import { createOrchestrator, type HistoryEvent, type OrchestratorListener } from './durable-internals.js';
import { checkSequenceNumbers, idleError } from './diagnostics.js';
import { HarnessError, NonDeterminismError } from './errors.js';
import { executeEpisode, type EpisodeOutcome, type EpisodeRequest } from './executor.js';
import { activityFailure, orchestratorFailureMessage, subOrchestrationFailure } from './failures.js';
import {
  eventRaised,
  executionStarted,
  markPlayed,
  orchestratorCompleted,
  orchestratorStarted,
  subOrchestrationCompleted,
  subOrchestrationCreated,
  subOrchestrationFailed,
  taskCompleted,
  taskFailed,
  taskScheduled,
  timerCreated,
  timerFired,
} from './history.js';
import { replayOnHost, type ActivityItem, type HostItem, type HostReplayResult, type SubOrchestrationItem, type TimerItem } from './dtfx-action-shim.js';
import { emptyStats, recordHistoryLength, type ActivityCall, type InstanceStats } from './stats.js';
import { byteSize, toJson } from './wire.js';

/**
 * An activity handler. Declared with method syntax on purpose: its parameters are then checked
 * bivariantly, so handlers typed for their own input (`(input: CopyRangeInput, ctx) => …`) fit.
 */
export type ActivityFunction = { bivarianceHack(input: unknown, context: InvocationContext): unknown }['bivarianceHack'];

export interface ReplayHostOptions {
  /** Orchestrator generators by registered name. */
  orchestrators: Record<string, OrchestrationHandler>;
  /** Activity handlers by registered name; they receive and return JSON (round-tripped). */
  activities: Record<string, ActivityFunction>;
  /** Start time of each `run()`; default 2024-01-01T00:00:00.000Z. Later time is virtual. */
  now?: () => Date;
  /** Replay every history twice and compare (default true). */
  replayCheck?: boolean;
  /** Guard against orchestrations that never end (default 5000 episodes per instance). */
  maxEpisodes?: number;
}

export interface RunOptions {
  instanceId: string;
}

export type RuntimeStatus = 'Completed' | 'Failed' | 'Terminated';

export interface RunResult {
  status: RuntimeStatus;
  /** The orchestrator's return value (null for undefined); for Failed the failure message, for Terminated the reason, as the host's status query reports. */
  output: unknown;
  /** "Orchestrator function '<name>' failed: <message>" when Failed. */
  error?: string;
  /** The last custom status the orchestrator set (the host ignores falsy values). */
  customStatus: unknown;
  instanceId: string;
  stats: InstanceStats;
}

export interface InstanceSnapshot extends Omit<RunResult, 'status'> {
  name: string;
  parentInstanceId: string | undefined;
  status: RuntimeStatus | 'Running';
}

export const DEFAULT_START_TIME = '2024-01-01T00:00:00.000Z';

interface InstanceState extends InstanceSnapshot {
  /** The orchestrator's own error message, without the host's prefix (sub-orchestration failure details). */
  rawError?: string;
}

type GenerationEnd =
  | { kind: 'completed'; output: unknown; at: Date }
  | { kind: 'failed'; error: string; rawError: string; at: Date }
  | { kind: 'terminated'; reason: string; at: Date }
  | { kind: 'continueAsNew'; input: unknown; at: Date };

/** A completion event and the virtual time it happens at; `order` breaks ties (sequence number). */
interface Completion {
  at: Date;
  order: number;
  event: HistoryEvent;
}

const silent = (): void => undefined;

export class ReplayHost {
  private readonly orchestrators: Record<string, OrchestrationHandler>;
  private readonly activities: Record<string, ActivityFunction>;
  private readonly startTime: () => Date;
  private readonly replayCheck: boolean;
  private readonly maxEpisodes: number;
  private readonly instances = new Map<string, InstanceState>();
  private readonly raisedEvents = new Map<string, Array<{ name: string; dataJson: string }>>();
  private readonly terminations = new Map<string, string>();

  constructor(options: ReplayHostOptions) {
    for (const [kind, functions] of [['orchestrators', options.orchestrators], ['activities', options.activities]] as const) {
      for (const [name, fn] of Object.entries(functions)) {
        if (typeof fn !== 'function') throw new TypeError(`ReplayHost: options.${kind}.${name} must be a function`);
      }
    }
    const maxEpisodes = options.maxEpisodes ?? 5000;
    if (!Number.isInteger(maxEpisodes) || maxEpisodes < 1) throw new RangeError('ReplayHost: options.maxEpisodes must be a positive integer');
    this.orchestrators = options.orchestrators;
    this.activities = options.activities;
    this.startTime = options.now ?? (() => new Date(DEFAULT_START_TIME));
    this.replayCheck = options.replayCheck ?? true;
    this.maxEpisodes = maxEpisodes;
  }

  /** Starts `name` with `input` (JSON round-tripped, as the client sends it) and runs it to the end. */
  async run(name: string, input: unknown, options: RunOptions): Promise<RunResult> {
    const start = new Date(this.startTime().getTime());
    const { state } = await this.runInstance(name, JSON.parse(toJson(input)) as unknown, options.instanceId, undefined, start);
    const { status } = state;
    if (status === 'Running') throw new HarnessError(`instance '${options.instanceId}' did not finish`);
    return { status, output: state.output, error: state.error, customStatus: state.customStatus, instanceId: state.instanceId, stats: state.stats };
  }

  /**
   * Queues an external event; it is delivered with the instance's next batch of completions.
   * Works before `run()` and while it runs (e.g. from an activity handler).
   */
  raiseEvent(instanceId: string, eventName: string, data?: unknown): void {
    this.assertNotFinished(instanceId, 'raise an event for');
    const queue = this.raisedEvents.get(instanceId) ?? [];
    queue.push({ name: eventName, dataJson: toJson(data) });
    this.raisedEvents.set(instanceId, queue);
  }

  /** Terminates the instance before its next episode, like the client's terminate(). */
  terminate(instanceId: string, reason = ''): void {
    this.assertNotFinished(instanceId, 'terminate');
    this.terminations.set(instanceId, reason);
  }

  /** Status and stats of any instance this host ran, sub-orchestrations included. */
  instance(instanceId: string): InstanceSnapshot | undefined {
    const state = this.instances.get(instanceId);
    if (!state) return undefined;
    const { name, instanceId: id, parentInstanceId, status, output, error, customStatus, stats } = state;
    return { name, instanceId: id, parentInstanceId, status, output, error, customStatus, stats };
  }

  private assertNotFinished(instanceId: string, verb: string): void {
    const status = this.instances.get(instanceId)?.status;
    if (status !== undefined && status !== 'Running') throw new HarnessError(`cannot ${verb} instance '${instanceId}': it is ${status}`);
  }

  private async runInstance(
    name: string,
    input: unknown,
    instanceId: string,
    parentInstanceId: string | undefined,
    startAt: Date,
  ): Promise<{ state: InstanceState; at: Date }> {
    const handler = Object.hasOwn(this.orchestrators, name) ? this.orchestrators[name] : undefined;
    if (handler === undefined) throw new HarnessError(`no orchestrator named '${name}' was given to the ReplayHost`);
    if (this.instances.get(instanceId)?.status === 'Running') throw new HarnessError(`instance '${instanceId}' is already running`);
    const state: InstanceState = {
      name,
      instanceId,
      parentInstanceId,
      status: 'Running',
      output: undefined,
      customStatus: undefined,
      stats: emptyStats(),
    };
    this.instances.set(instanceId, state);
    const listener = createOrchestrator(handler);
    let at = startAt;
    let generationInput = input;
    for (let generation = 0; ; generation++) {
      const end = await this.runGeneration(state, listener, generation, generationInput, at);
      at = end.at;
      if (end.kind === 'continueAsNew') {
        // The host starts a fresh history (same instance id) whose ExecutionStarted carries the new input.
        state.stats.continueAsNewCount++;
        generationInput = end.input;
        continue;
      }
      this.finish(state, end);
      return { state, at };
    }
  }

  private async runGeneration(
    state: InstanceState,
    listener: OrchestratorListener,
    generation: number,
    input: unknown,
    startAt: Date,
  ): Promise<GenerationEnd> {
    const { stats, instanceId, name } = state;
    const inputJson = toJson(input);
    stats.generations++;
    stats.maxInputBytes = Math.max(stats.maxInputBytes, byteSize(inputJson));
    const history = [orchestratorStarted(startAt), executionStarted(startAt, name, inputJson)];
    let now = startAt;
    for (;;) {
      const reason = this.terminations.get(instanceId);
      if (reason !== undefined) {
        this.terminations.delete(instanceId);
        return { kind: 'terminated', reason, at: now };
      }
      const episode = ++stats.episodes;
      if (episode > this.maxEpisodes) throw new HarnessError(`instance '${instanceId}' exceeded ${this.maxEpisodes} episodes (options.maxEpisodes)`);
      recordHistoryLength(stats, generation, history.length);

      const request: EpisodeRequest = { orchestratorName: name, instanceId, parentInstanceId: state.parentInstanceId, history, input, episode };
      const outcome = await this.replay(listener, request, stats);
      const host = replayOnHost(history, outcome.state.actions, {
        orchestratorName: name,
        instanceId,
        parentInstanceId: state.parentInstanceId,
        executionId: `${instanceId}:${generation}`,
        episode,
        activityNames: Object.keys(this.activities),
        orchestratorNames: Object.keys(this.orchestrators),
      });
      checkSequenceNumbers(request, outcome, host);
      this.recordCustomStatus(state, outcome.state.customStatus);

      if (host.rejection !== undefined) {
        return { kind: 'failed', error: orchestratorFailureMessage(name, host.rejection), rawError: host.rejection, at: now };
      }
      // The extension replays every action before it looks at isDone/error, so an orchestrator that
      // finished while the host still awaits one of its actions (a Task.all it left after the first
      // failure) only completes once that action has finished.
      if (host.shimFinished && outcome.failed) {
        const error = outcome.state.error;
        if (error === undefined) {
          throw new HarnessError(
            `orchestrator '${name}' (instance '${instanceId}') threw a value that is not an Error: the host gets no message and would leave the instance Running forever`,
          );
        }
        return { kind: 'failed', error: orchestratorFailureMessage(name, error), rawError: error, at: now };
      }
      if (host.shimFinished && outcome.state.isDone) {
        return host.continueAsNew
          ? { kind: 'continueAsNew', input: host.continueAsNew.input, at: now }
          : { kind: 'completed', output: outcome.state.output ?? null, at: now };
      }

      this.appendScheduled(state, history, host.newItems, generation, now);
      const batch = await this.nextBatch(state, host, generation, now);
      if (batch === undefined) throw idleError(request, outcome, host);
      markPlayed(history);
      history.push(orchestratorStarted(batch.at), ...batch.events);
      now = batch.at;
    }
  }

  /** One episode through the executor; with replayCheck, the same history a second time, compared. */
  private async replay(listener: OrchestratorListener, request: EpisodeRequest, stats: InstanceStats): Promise<EpisodeOutcome> {
    const first = await executeEpisode(listener, request);
    stats.replayMs += first.elapsedMs;
    if (!this.replayCheck) return first;
    const second = await executeEpisode(listener, request);
    stats.checkReplayMs += second.elapsedMs;
    const diff = diffEpisodes(first, second);
    if (diff !== undefined) {
      throw new NonDeterminismError(
        `Non-deterministic orchestrator '${request.orchestratorName}' (instance '${request.instanceId}', episode ${request.episode}): ` +
          `replaying the same ${request.history.length} history events twice gave different results:\n${diff}`,
        request.instanceId,
        request.episode,
      );
    }
    return first;
  }

  private recordCustomStatus(state: InstanceState, customStatus: unknown): void {
    if (customStatus === undefined) return;
    const json = toJson(customStatus);
    if (json !== toJson(state.customStatus ?? null) || state.stats.customStatuses.length === 0) state.stats.customStatuses.push(JSON.parse(json) as unknown);
    state.customStatus = customStatus;
    state.stats.maxCustomStatusBytes = Math.max(state.stats.maxCustomStatusBytes, byteSize(toJson(customStatus)));
  }

  /** The episode's new work as scheduling events, closed by OrchestratorCompleted. */
  private appendScheduled(state: InstanceState, history: HistoryEvent[], items: HostItem[], generation: number, now: Date): void {
    for (const item of items) {
      switch (item.kind) {
        case 'activity':
          history.push(taskScheduled(now, item.id, item.name, item.inputJson));
          break;
        case 'subOrchestration':
          history.push(subOrchestrationCreated(now, item.id, item.name, item.instanceId, item.inputJson));
          break;
        case 'timer':
          history.push(timerCreated(now, item.id, item.fireAt));
          state.stats.timers.push({
            id: item.id,
            generation,
            purpose: item.purpose,
            createdAt: item.createdAt.toISOString(),
            fireAt: item.fireAt.toISOString(),
            durationMs: item.fireAt.getTime() - item.createdAt.getTime(),
          });
          break;
      }
    }
    history.push(orchestratorCompleted(now));
  }

  /**
   * Runs everything runnable (activities and sub-orchestrations, concurrently) and takes queued
   * external events. Timers fire when nothing else is left, the earliest first, or alongside
   * completions that happen after their fireAt. Undefined when nothing can ever happen.
   */
  private async nextBatch(
    state: InstanceState,
    host: HostReplayResult,
    generation: number,
    now: Date,
  ): Promise<{ at: Date; events: HistoryEvent[] } | undefined> {
    const runnable = host.items.filter((item): item is ActivityItem | SubOrchestrationItem => item.kind !== 'timer' && !item.completed);
    const completions = await Promise.all(
      runnable.map((item) => (item.kind === 'activity' ? this.runActivity(state, item, generation, now) : this.runChild(state, item, now))),
    );
    completions.push(...this.takeRaisedEvents(state.instanceId, now));
    const timers = host.items.filter((item): item is TimerItem => item.kind === 'timer' && !item.completed && !item.canceled);
    const horizon =
      completions.length > 0 ? Math.max(...completions.map((c) => c.at.getTime())) : Math.min(...timers.map((t) => t.fireAt.getTime()));
    if (!Number.isFinite(horizon)) return undefined;
    for (const timer of timers) {
      if (timer.fireAt.getTime() <= horizon) completions.push({ at: timer.fireAt, order: timer.id, event: timerFired(timer.fireAt, timer.id, timer.fireAt) });
    }
    completions.sort((x, y) => x.at.getTime() - y.at.getTime() || x.order - y.order);
    return { at: new Date(Math.max(now.getTime(), horizon)), events: completions.map((c) => c.event) };
  }

  private async runActivity(state: InstanceState, item: ActivityItem, generation: number, now: Date): Promise<Completion> {
    const activity = this.activities[item.name];
    if (activity === undefined) throw new HarnessError(`no activity named '${item.name}'`);
    const context = new InvocationContext({ functionName: item.name, invocationId: `${state.instanceId}:${generation}:${item.id}`, logHandler: silent });
    const call: ActivityCall = { name: item.name, attempt: item.attempt, generation, inputBytes: byteSize(item.inputJson), outputBytes: undefined, outcome: 'failed' };
    state.stats.activityCalls.push(call);
    try {
      // Serializing inside the try: a result JSON cannot carry (a BigInt) fails the activity, as in the worker.
      const resultJson = toJson(await activity(JSON.parse(item.inputJson) as unknown, context));
      call.outputBytes = byteSize(resultJson);
      call.outcome = 'completed';
      return { at: now, order: item.id, event: taskCompleted(now, item.id, resultJson) };
    } catch (error) {
      const failure = activityFailure(item.name, error);
      return { at: now, order: item.id, event: taskFailed(now, item.id, failure.reason, failure.details) };
    }
  }

  /** A sub-orchestration runs to its end through this same host; a terminated child counts as failed. */
  private async runChild(state: InstanceState, item: SubOrchestrationItem, now: Date): Promise<Completion> {
    state.stats.childInstanceIds.push(item.instanceId);
    const { state: child, at } = await this.runInstance(item.name, JSON.parse(item.inputJson) as unknown, item.instanceId, state.instanceId, now);
    if (child.status === 'Completed') {
      return { at, order: item.id, event: subOrchestrationCompleted(at, item.id, toJson(child.output)) };
    }
    const message = child.error ?? String(child.output);
    const failure = subOrchestrationFailure(message, child.rawError ?? message);
    return { at, order: item.id, event: subOrchestrationFailed(at, item.id, failure.reason, failure.details) };
  }

  private takeRaisedEvents(instanceId: string, now: Date): Completion[] {
    const queue = this.raisedEvents.get(instanceId) ?? [];
    this.raisedEvents.delete(instanceId);
    // Ordered after the task completions of the same instant.
    return queue.map((raised, index) => ({ at: now, order: 2 ** 40 + index, event: eventRaised(now, raised.name, raised.dataJson) }));
  }

  private finish(state: InstanceState, end: Exclude<GenerationEnd, { kind: 'continueAsNew' }>): void {
    switch (end.kind) {
      case 'completed':
        state.status = 'Completed';
        state.output = end.output;
        state.stats.maxOutputBytes = Math.max(state.stats.maxOutputBytes, byteSize(toJson(end.output)));
        return;
      case 'failed':
        state.status = 'Failed';
        state.output = end.error;
        state.error = end.error;
        state.rawError = end.rawError;
        return;
      case 'terminated':
        state.status = 'Terminated';
        state.output = end.reason;
        return;
    }
  }
}

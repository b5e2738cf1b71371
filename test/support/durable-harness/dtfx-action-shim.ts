// The host's half of an episode, emulated: what the Durable Functions extension and the Durable
// Task Framework (DTFx) do with the actions a JavaScript orchestrator returns.
//
// On the real host the extension's OutOfProcOrchestrationShim replays the *whole* action list
// against DTFx on every episode (ProcessAsyncActionsV2):
//   foreach (action in actions) { try { await InvokeAPIFromAction(action); } catch { } }
// - actions are invoked one at a time; the next one only after the previous one has finished
//   (Task.WhenAll finishes when *all* children have finished, even if one failed early);
// - every call to ScheduleTask / CreateTimer / CreateSubOrchestrationInstance takes the next
//   sequence number, and retry loops and long timers take theirs when their continuation runs;
// - DTFx replays the history alongside: a completion resumes its task synchronously, and every
//   TaskScheduled / TimerCreated / SubOrchestrationInstanceCreated event must match the task the
//   replay created with that number, or the orchestration is "non-deterministic".
// The SDK numbers its tasks on its own side; both sides only agree because they follow the same
// rules. Emulating the host's side separately (instead of reading the SDK's numbers) is what lets
// the harness notice when they do not (see SequenceMismatchError).
import { ActionType, EventType, LONG_RUNNING_TIMER_INTERVAL_MS, MAXIMUM_SHORT_TIMER_MS, type HistoryEvent } from './durable-internals.js';
import { HarnessError, NonDeterminismError } from './errors.js';
import { nextRetryDelayMs, toRetryPolicy } from './retry.js';
import { decodeInput, describeAction, toJson, type WireAction } from './wire.js';

export type TimerPurpose = 'orchestrator' | 'retry' | 'long-timer-slice';

interface ItemBase {
  /** The sequence number: EventId of its scheduling event, TaskScheduledId/TimerId of its completion. */
  id: number;
  /** A completion for it is in the history. */
  completed: boolean;
}
export interface ActivityItem extends ItemBase {
  kind: 'activity';
  name: string;
  inputJson: string;
  attempt: number;
}
export interface TimerItem extends ItemBase {
  kind: 'timer';
  createdAt: Date;
  fireAt: Date;
  purpose: TimerPurpose;
  /** The orchestrator cancelled it (timer.cancel()); it is recorded but never needs to fire. */
  canceled: boolean;
}
export interface SubOrchestrationItem extends ItemBase {
  kind: 'subOrchestration';
  name: string;
  instanceId: string;
  inputJson: string;
  attempt: number;
}
export type HostItem = ActivityItem | TimerItem | SubOrchestrationItem;

export interface HostReplayContext {
  orchestratorName: string;
  instanceId: string;
  parentInstanceId: string | undefined;
  /** Stands in for DTFx's random ExecutionId, which prefixes generated sub-orchestration ids. */
  executionId: string;
  episode: number;
  activityNames: string[];
  orchestratorNames: string[];
}

export interface HostReplayResult {
  /** Every task the replay created, by sequence number. */
  items: HostItem[];
  /** Tasks created in this episode: they have no scheduling event in the history yet. */
  newItems: HostItem[];
  /** The shim has invoked and awaited every action; until then the host does not complete the instance. */
  shimFinished: boolean;
  continueAsNew: { input: unknown } | undefined;
  waitingForEvents: string[];
  /** The host refused an action (unknown function, bad instance id): the orchestration fails with this. */
  rejection: string | undefined;
}

/** An error the extension raises while invoking an action; it fails the orchestration. */
class HostRejection extends Error {}

/** A host-side task. Continuations run synchronously, as on DTFx's synchronous task scheduler. */
class Op {
  private state: 'running' | 'succeeded' | 'failed' = 'running';
  private continuations: Array<() => void> = [];
  get done(): boolean {
    return this.state !== 'running';
  }
  get failed(): boolean {
    return this.state === 'failed';
  }
  settle(succeeded: boolean): void {
    if (this.done) return;
    this.state = succeeded ? 'succeeded' : 'failed';
    for (const continuation of this.continuations.splice(0)) continuation();
  }
  whenDone(continuation: () => void): void {
    if (this.done) continuation();
    else this.continuations.push(continuation);
  }
}

const settled = (succeeded: boolean): Op => {
  const op = new Op();
  op.settle(succeeded);
  return op;
};

export function replayOnHost(history: HistoryEvent[], actions: WireAction[], ctx: HostReplayContext): HostReplayResult {
  return new HostReplay(actions, ctx).run(history);
}

class HostReplay {
  private now = new Date(0);
  private nextId = 0;
  private nextAction = 0;
  private shimFinished = false;
  private continueAsNew: { input: unknown } | undefined;
  private rejection: string | undefined;
  private readonly tasks = new Map<number, { item: HostItem; op: Op }>();
  private readonly recorded = new Set<number>();
  private readonly eventWaiters = new Map<string, Op[]>();
  private readonly bufferedEvents = new Map<string, number>();

  constructor(
    private readonly actions: WireAction[],
    private readonly ctx: HostReplayContext,
  ) {}

  run(history: HistoryEvent[]): HostReplayResult {
    for (const event of history) {
      try {
        this.process(event);
      } catch (error) {
        if (!(error instanceof HostRejection)) throw error;
        this.rejection = error.message;
      }
      if (this.rejection !== undefined) break;
    }
    const items = [...this.tasks.values()].map((t) => t.item).sort((a, b) => a.id - b.id);
    return {
      items,
      newItems: items.filter((item) => !this.recorded.has(item.id)),
      shimFinished: this.shimFinished,
      continueAsNew: this.continueAsNew,
      waitingForEvents: [...this.eventWaiters].filter(([, waiters]) => waiters.length > 0).map(([name]) => name),
      rejection: this.rejection,
    };
  }

  private process(event: HistoryEvent): void {
    switch (event.EventType) {
      case EventType.OrchestratorStarted:
        this.now = event.Timestamp;
        return;
      case EventType.ExecutionStarted:
        this.resumeShim();
        return;
      case EventType.TaskScheduled:
      case EventType.TimerCreated:
      case EventType.SubOrchestrationInstanceCreated:
        this.matchRecorded(event);
        return;
      case EventType.TaskCompleted:
      case EventType.SubOrchestrationInstanceCompleted:
        this.complete(event.TaskScheduledId, true);
        return;
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed:
        this.complete(event.TaskScheduledId, false);
        return;
      case EventType.TimerFired:
        this.complete(event.TimerId, true);
        return;
      case EventType.EventRaised:
        this.deliverEvent(event.Name ?? '');
        return;
      default:
        return;
    }
  }

  /** ProcessAsyncActionsV2: invoke the next action, await it (errors swallowed), repeat. */
  private readonly resumeShim = (): void => {
    while (this.nextAction < this.actions.length) {
      const action = this.actions[this.nextAction++];
      if (action === undefined) break;
      const op = this.invoke(action);
      if (!op.done) {
        op.whenDone(this.resumeShim);
        return;
      }
    }
    this.shimFinished = true;
  };

  /** InvokeAPIFromAction; fire-and-forget actions return a completed task. */
  private invoke(action: WireAction): Op {
    switch (action.actionType) {
      case ActionType.CallActivity:
        return this.scheduleActivity(action, 1);
      case ActionType.CallActivityWithRetry:
        return this.withRetry(action, (attempt) => this.scheduleActivity(action, attempt));
      case ActionType.CallSubOrchestrator:
        return this.createSubOrchestration(action, 1);
      case ActionType.CallSubOrchestratorWithRetry:
        return this.withRetry(action, (attempt) => this.createSubOrchestration(action, attempt));
      case ActionType.CreateTimer:
        return this.createTimer(action);
      case ActionType.WaitForExternalEvent:
        return this.waitForEvent(action.externalEventName ?? '');
      case ActionType.WhenAll:
        return whenAll((action.compoundActions ?? []).map((child) => this.invoke(child)));
      case ActionType.WhenAny:
        return whenAny((action.compoundActions ?? []).map((child) => this.invoke(child)));
      case ActionType.ContinueAsNew:
        this.continueAsNew = { input: decodeInput(action) };
        return settled(true);
      default:
        throw new HarnessError(`${describeAction(action)}: entities and durable HTTP are not emulated by the replay harness`);
    }
  }

  private register(item: HostItem): Op {
    const op = new Op();
    this.tasks.set(item.id, { item, op });
    return op;
  }

  private scheduleActivity(action: WireAction, attempt: number): Op {
    const name = action.functionName ?? '';
    if (!this.ctx.activityNames.includes(name)) {
      // DurableTaskExtension.ThrowIfFunctionDoesNotExist, thrown out of the shim: the instance fails.
      throw new HostRejection(
        `The function '${name}' doesn't exist, is disabled, or is not an activity function. Additional info: ` +
          `The following are the known activity functions: '${this.ctx.activityNames.join("', '")}'.`,
      );
    }
    return this.register({ kind: 'activity', id: this.nextId++, completed: false, name, inputJson: toJson(decodeInput(action)), attempt });
  }

  private createSubOrchestration(action: WireAction, attempt: number): Op {
    const name = action.functionName ?? '';
    if (!this.ctx.orchestratorNames.includes(name)) {
      throw new HostRejection(
        `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: ` +
          `The following are the known orchestrator functions: '${this.ctx.orchestratorNames.join("', '")}'.`,
      );
    }
    if (action.instanceId !== undefined && [this.ctx.instanceId, this.ctx.parentInstanceId].includes(action.instanceId)) {
      throw new HostRejection('The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration.');
    }
    const id = this.nextId++;
    // DTFx names a child without an explicit id "<ExecutionId>:<sequence number>".
    const instanceId = action.instanceId ?? `${this.ctx.executionId}:${id}`;
    return this.register({ kind: 'subOrchestration', id, completed: false, name, instanceId, inputJson: toJson(decodeInput(action)), attempt });
  }

  private scheduleTimer(fireAt: Date, purpose: TimerPurpose, canceled: boolean): Op {
    const op = this.register({ kind: 'timer', id: this.nextId++, completed: false, createdAt: this.now, fireAt, purpose, canceled });
    // A cancelled timer is still created (and recorded), then its task is cancelled at once.
    if (canceled) op.settle(false);
    return op;
  }

  /**
   * The extension's CreateTimer: timers longer than the provider's maximum (6 days on Azure
   * Storage) become a chain of slices of at most 3 days, each created when the previous fired.
   * The SDK's LongTimerTask waits for whatever slices arrive and re-checks the time itself.
   */
  private createTimer(action: WireAction): Op {
    const fireAt = new Date(action.fireAt ?? NaN);
    if (Number.isNaN(fireAt.getTime())) throw new HarnessError(`CreateTimer without a valid fireAt: ${describeAction(action)}`);
    const canceled = action.isCanceled === true;
    if (fireAt.getTime() - this.now.getTime() <= MAXIMUM_SHORT_TIMER_MS) return this.scheduleTimer(fireAt, 'orchestrator', canceled);

    const result = new Op();
    const slice = (sliceFireAt: Date, sliceCanceled: boolean): void => {
      const timer = this.scheduleTimer(sliceFireAt, 'long-timer-slice', sliceCanceled);
      timer.whenDone(() => {
        if (timer.failed) return result.settle(false);
        const remaining = fireAt.getTime() - this.now.getTime();
        if (remaining <= 0) return result.settle(true);
        slice(new Date(this.now.getTime() + Math.min(remaining, LONG_RUNNING_TIMER_INTERVAL_MS)), false);
      });
    };
    slice(new Date(this.now.getTime() + LONG_RUNNING_TIMER_INTERVAL_MS), canceled);
    return result;
  }

  /** DTFx RetryInterceptor (see retry.ts): attempt, and after every failure a timer. */
  private withRetry(action: WireAction, attempt: (attemptNumber: number) => Op): Op {
    if (action.retryOptions === undefined) throw new HarnessError(`${describeAction(action)} has no retryOptions`);
    const policy = toRetryPolicy(action.retryOptions);
    const firstAttemptAt = this.now;
    const result = new Op();
    const tryOnce = (retryCount: number): void => {
      if (retryCount >= policy.maxNumberOfAttempts) return result.settle(false);
      const call = attempt(retryCount + 1);
      call.whenDone(() => {
        if (!call.failed) return result.settle(true);
        const delayMs = nextRetryDelayMs(policy, retryCount, firstAttemptAt, this.now);
        if (delayMs === 0) return result.settle(false);
        const timer = this.scheduleTimer(new Date(this.now.getTime() + delayMs), 'retry', false);
        timer.whenDone(() => tryOnce(retryCount + 1));
      });
    };
    tryOnce(0);
    return result;
  }

  /** The extension's WaitForExternalEvent: take a buffered event, or queue up for the next one. */
  private waitForEvent(name: string): Op {
    const buffered = this.bufferedEvents.get(name) ?? 0;
    if (buffered > 0) {
      this.bufferedEvents.set(name, buffered - 1);
      return settled(true);
    }
    const op = new Op();
    this.eventWaiters.set(name, [...(this.eventWaiters.get(name) ?? []), op]);
    return op;
  }

  private deliverEvent(name: string): void {
    const waiter = this.eventWaiters.get(name)?.shift();
    if (waiter) waiter.settle(true);
    else this.bufferedEvents.set(name, (this.bufferedEvents.get(name) ?? 0) + 1);
  }

  private complete(id: number | undefined, succeeded: boolean): void {
    const task = id === undefined ? undefined : this.tasks.get(id);
    if (!task) return; // DTFx only logs completions it cannot match
    task.item.completed = true;
    task.op.settle(succeeded);
  }

  /** DTFx's check of a recorded scheduling event against the task the replay created with its number. */
  private matchRecorded(event: HistoryEvent): void {
    const id = event.EventId;
    const task = this.tasks.get(id)?.item;
    if (task === undefined || !sameTask(event, task)) {
      throw new NonDeterminismError(
        `Non-deterministic orchestrator '${this.ctx.orchestratorName}' (instance '${this.ctx.instanceId}', episode ${this.ctx.episode}): ` +
          `the history records ${describeRecorded(event)} as task #${id}, but replaying it created ${task ? describeItem(task) : 'nothing'} as #${id}. ` +
          'The orchestrator took a different path on replay than when it first ran.',
        this.ctx.instanceId,
        this.ctx.episode,
      );
    }
    this.recorded.add(id);
  }
}

/** Same kind and name (DTFx), plus same instance id and fireAt (stricter than the host, never legitimately different). */
function sameTask(event: HistoryEvent, task: HostItem): boolean {
  switch (event.EventType) {
    case EventType.TaskScheduled:
      return task.kind === 'activity' && task.name === event.Name;
    case EventType.SubOrchestrationInstanceCreated:
      return task.kind === 'subOrchestration' && task.name === event.Name && task.instanceId === event.InstanceId;
    default:
      return task.kind === 'timer' && task.fireAt.getTime() === event.FireAt?.getTime();
  }
}

function whenAll(ops: Op[]): Op {
  const result = new Op();
  let remaining = ops.length;
  let anyFailed = false;
  if (remaining === 0) result.settle(true);
  for (const op of ops) {
    op.whenDone(() => {
      anyFailed ||= op.failed;
      if (--remaining === 0) result.settle(!anyFailed);
    });
  }
  return result;
}

/** Task.WhenAny finishes with the first child, failed or not, and never fails itself. */
function whenAny(ops: Op[]): Op {
  const result = new Op();
  for (const op of ops) op.whenDone(() => result.settle(true));
  return result;
}

export function describeItem(item: HostItem): string {
  switch (item.kind) {
    case 'activity':
      return `activity '${item.name}' input=${item.inputJson}`;
    case 'subOrchestration':
      return `sub-orchestration '${item.name}' instanceId=${item.instanceId} input=${item.inputJson}`;
    case 'timer':
      return `${item.purpose} timer fireAt=${item.fireAt.toISOString()}`;
  }
}

function describeRecorded(event: HistoryEvent): string {
  switch (event.EventType) {
    case EventType.TaskScheduled:
      return `activity '${event.Name ?? ''}' input=${event.Input ?? ''}`;
    case EventType.SubOrchestrationInstanceCreated:
      return `sub-orchestration '${event.Name ?? ''}' instanceId=${event.InstanceId ?? ''}`;
    default:
      return `a timer fireAt=${event.FireAt?.toISOString() ?? '?'}`;
  }
}

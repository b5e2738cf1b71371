import * as df from 'durable-functions';
import type { OrchestrationHandler } from 'durable-functions';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_START_TIME,
  HarnessError,
  NonDeterminismError,
  OrchestrationIdleError,
  REPLAY_SCHEMA_NAME,
  ReplayHost,
  SequenceMismatchError,
  type ActivityFunction,
} from './index.js';

// ---- sample activities and orchestrators -------------------------------------------------------

const double = async (n: number): Promise<number> => n * 2;
const square = async (n: number): Promise<number> => n * n;
const basicActivities: Record<string, ActivityFunction> = { double, square };

const sequence: OrchestrationHandler = function* (context) {
  const a: number = yield context.df.callActivity('double', context.df.getInput<number>());
  const b: number = yield context.df.callActivity('double', a);
  const c: number = yield context.df.callActivity('double', b);
  return [a, b, c];
};

const fanOut: OrchestrationHandler = function* (context) {
  const tasks = [1, 2, 3, 4, 5].map((n) => context.df.callActivity('square', n));
  const squares: number[] = yield context.df.Task.all(tasks);
  return squares.reduce((sum, x) => sum + x, 0);
};

const retrying: OrchestrationHandler = function* (context) {
  const retry = new df.RetryOptions(1000, 5);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 60_000;
  return yield context.df.callActivityWithRetry('flaky', retry, 'job-1');
};

const retryingUntilGivingUp: OrchestrationHandler = function* (context) {
  try {
    yield context.df.callActivityWithRetry('broken', new df.RetryOptions(500, 2));
    return 'unexpected success';
  } catch (error) {
    return { message: error instanceof Error ? error.message : String(error), code: (error as { code?: unknown }).code ?? null };
  }
};

const shortWait: OrchestrationHandler = function* (context) {
  const start = context.df.currentUtcDateTime;
  yield context.df.createTimer(new Date(start.getTime() + 1500));
  return context.df.currentUtcDateTime.getTime() - start.getTime();
};

const TEN_DAYS_MS = 10 * 24 * 3600_000;
const longWait: OrchestrationHandler = function* (context) {
  const start = context.df.currentUtcDateTime;
  yield context.df.createTimer(new Date(start.getTime() + TEN_DAYS_MS));
  return context.df.currentUtcDateTime.getTime() - start.getTime();
};

const child: OrchestrationHandler = function* (context) {
  return yield context.df.callActivity('double', context.df.getInput<number>());
};

const parent: OrchestrationHandler = function* (context) {
  const a: number = yield context.df.callSubOrchestrator('child', 5, `${context.df.instanceId}:child`);
  const b: number = yield context.df.callSubOrchestrator('child', 7);
  return a + b;
};

const failingChild: OrchestrationHandler = function* () {
  yield* [];
  throw new Error('mailbox not found');
};

const parentOfFailingChild: OrchestrationHandler = function* (context) {
  try {
    yield context.df.callSubOrchestrator('failingChild', null, 'doomed-child');
    return 'unexpected success';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

const pager: OrchestrationHandler = function* (context) {
  const { page } = context.df.getInput<{ page: number }>();
  yield context.df.callActivity('double', page);
  if (page < 3) {
    context.df.continueAsNew({ page: page + 1 });
    return undefined;
  }
  return `done after page ${page}`;
};

// The planted bug: module-level state changes what the orchestrator schedules on the next replay.
let plantedReplays = 0;
const planted: OrchestrationHandler = function* (context) {
  plantedReplays++;
  const target = plantedReplays % 2 === 1 ? 'double' : 'square';
  return yield context.df.callActivity(target, 3);
};

const approval: OrchestrationHandler = function* (context) {
  const start = context.df.currentUtcDateTime;
  const timeout = context.df.createTimer(new Date(start.getTime() + 3600_000));
  const approved = context.df.waitForExternalEvent('approval');
  const winner: unknown = yield context.df.Task.any([approved, timeout]);
  if (winner === approved) timeout.cancel();
  const waitedMs = context.df.currentUtcDateTime.getTime() - start.getTime();
  return { approvedBy: winner === approved ? approved.result : null, waitedMs };
};

const askThenWait: OrchestrationHandler = function* (context) {
  yield context.df.callActivity('requestApproval', context.df.instanceId);
  return yield context.df.waitForExternalEvent('approval');
};

const waitForever: OrchestrationHandler = function* (context) {
  return yield context.df.waitForExternalEvent('approval');
};

const reuseInFlightTask: OrchestrationHandler = function* (context) {
  const a = context.df.callActivity('double', 1);
  const b = context.df.callActivity('double', 2);
  yield context.df.Task.any([a, b]);
  const c = context.df.callActivity('square', 3);
  yield context.df.Task.any([b, c]);
  return 'done';
};

const leaveTaskAllEarly: OrchestrationHandler = function* (context) {
  const slow = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
  try {
    yield context.df.Task.all([context.df.callActivity('broken'), slow]);
    return 'unexpected success';
  } catch {
    return 'caught';
  }
};

const sized: OrchestrationHandler = function* (context) {
  const input = context.df.getInput<{ rows: string[] }>();
  context.df.setCustomStatus({ phase: 'copying', done: input.rows.length });
  yield context.df.callActivity('double', input.rows.length);
  return { copied: input.rows.length };
};

const explode: OrchestrationHandler = function* (context) {
  yield context.df.callActivity('double', 1);
  throw new Error('boom');
};

const callsUnknownActivity: OrchestrationHandler = function* (context) {
  return yield context.df.callActivity('noSuchActivity');
};

const returnsBigInt: OrchestrationHandler = function* (context) {
  try {
    return yield context.df.callActivity('appendMessage');
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

const selfTerminating: OrchestrationHandler = function* (context) {
  yield context.df.callActivity('stopMe', context.df.instanceId);
  yield context.df.callActivity('double', 1);
  return 'unexpected success';
};

const orchestrators = {
  sequence,
  fanOut,
  retrying,
  retryingUntilGivingUp,
  shortWait,
  longWait,
  child,
  parent,
  failingChild,
  parentOfFailingChild,
  pager,
  planted,
  approval,
  askThenWait,
  waitForever,
  reuseInFlightTask,
  leaveTaskAllEarly,
  sized,
  explode,
  callsUnknownActivity,
  returnsBigInt,
  selfTerminating,
};

const hostWith = (activities: Record<string, ActivityFunction> = basicActivities, replayCheck = true): ReplayHost =>
  new ReplayHost({ orchestrators, activities: { ...basicActivities, ...activities }, replayCheck });

// ---- tests ------------------------------------------------------------------------------------

describe('ReplayHost', () => {
  it('drives orchestrators with the newest replay schema the library knows', () => {
    expect(REPLAY_SCHEMA_NAME).toBe('V4');
  });

  it('sequence: three activities in a row -> one episode per activity plus the last, JSON results', async () => {
    const result = await hostWith().run('sequence', 1, { instanceId: 'seq-1' });
    expect(result).toMatchObject({ status: 'Completed', output: [2, 4, 8], instanceId: 'seq-1' });
    expect(result.stats.episodes).toBe(4);
    expect(result.stats.activityCalls.map((c) => [c.name, c.attempt, c.outcome])).toEqual([
      ['double', 1, 'completed'],
      ['double', 1, 'completed'],
      ['double', 1, 'completed'],
    ]);
    // OrchestratorStarted, ExecutionStarted, then per episode the scheduled task and its completion.
    expect(result.stats.historyEventsFinal).toBe(14);
    expect(result.stats.checkReplayMs).toBeGreaterThan(0);
  });

  it('fan-out: Task.all of 5 activities -> all scheduled in one episode and run concurrently', async () => {
    let inFlight = 0;
    let peak = 0;
    const slowSquare = async (n: number): Promise<number> => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return n * n;
    };
    const result = await hostWith({ square: slowSquare }).run('fanOut', null, { instanceId: 'fan-1' });
    expect(result.output).toBe(55);
    expect(result.stats.episodes).toBe(2);
    expect(peak).toBe(5);
  });

  it('callActivityWithRetry: fails twice then succeeds -> 3 attempts and 2 retry timers of 1 s and 2 s', async () => {
    let calls = 0;
    const flaky = async (input: string): Promise<string> => {
      calls++;
      if (calls <= 2) throw new Error(`transient failure ${calls}`);
      return `${input} ok`;
    };
    const result = await hostWith({ flaky }).run('retrying', null, { instanceId: 'retry-1' });
    expect(result).toMatchObject({ status: 'Completed', output: 'job-1 ok' });
    expect(result.stats.activityCalls.map((c) => [c.attempt, c.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'completed'],
    ]);
    expect(result.stats.timers.map((t) => [t.purpose, t.durationMs])).toEqual([
      ['retry', 1000],
      ['retry', 2000],
    ]);
  });

  it('callActivityWithRetry: attempts exhausted -> a timer after the last failure too, and the error arrives as flattened text', async () => {
    const broken = async (): Promise<never> => {
      throw Object.assign(new Error('bad credentials'), { code: 'IMAP_AUTH_FAILED' });
    };
    const result = await hostWith({ broken }).run('retryingUntilGivingUp', null, { instanceId: 'retry-2' });
    expect(result.stats.activityCalls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(result.stats.timers.map((t) => t.durationMs)).toEqual([500, 500]);
    const output = result.output as { message: string; code: unknown };
    expect(output.message).toContain("Activity function 'broken' failed:  bad credentials");
    expect(output.code).toBeNull();
  });

  it('createTimer: a 1500 ms timer -> recorded with its length, and the virtual clock moves by exactly that', async () => {
    const result = await hostWith().run('shortWait', null, { instanceId: 'timer-1' });
    expect(result.output).toBe(1500);
    expect(result.stats.timers).toEqual([
      { id: 0, generation: 0, purpose: 'orchestrator', createdAt: DEFAULT_START_TIME, fireAt: '2024-01-01T00:00:01.500Z', durationMs: 1500 },
    ]);
  });

  it('createTimer: a 10-day timer -> the host splits it into 3-day slices, as on Azure Storage', async () => {
    const result = await hostWith().run('longWait', null, { instanceId: 'timer-2' });
    expect(result.output).toBe(TEN_DAYS_MS);
    const day = 24 * 3600_000;
    expect(result.stats.timers.map((t) => [t.purpose, t.durationMs / day])).toEqual([
      ['long-timer-slice', 3],
      ['long-timer-slice', 3],
      ['long-timer-slice', 3],
      ['long-timer-slice', 1],
    ]);
  });

  it('callSubOrchestrator: children run through the same host -> results, child ids and child stats', async () => {
    const host = hostWith();
    const result = await host.run('parent', null, { instanceId: 'p-1' });
    expect(result.output).toBe(24);
    // The second child has no explicit id: the host names it "<execution>:<sequence number>".
    expect(result.stats.childInstanceIds).toEqual(['p-1:child', 'p-1:0:1']);
    expect(host.instance('p-1:child')).toMatchObject({ status: 'Completed', output: 10, parentInstanceId: 'p-1' });
    expect(host.instance('p-1:child')?.stats.activityCalls).toHaveLength(1);
  });

  it('callSubOrchestrator: a failing child -> the parent catches "Orchestrator function ... failed" text', async () => {
    const host = hostWith();
    const result = await host.run('parentOfFailingChild', null, { instanceId: 'p-2' });
    expect(result.output).toContain("Orchestrator function 'failingChild' failed: mailbox not found");
    expect(host.instance('doomed-child')?.status).toBe('Failed');
  });

  it('continueAsNew three times -> four generations, each with a small history', async () => {
    const result = await hostWith().run('pager', { page: 0 }, { instanceId: 'pager-1' });
    expect(result.output).toBe('done after page 3');
    expect(result.stats.generations).toBe(4);
    expect(result.stats.continueAsNewCount).toBe(3);
    expect(result.stats.historyEventsPerGeneration).toEqual([6, 6, 6, 6]);
    expect(result.stats.historyEventsMax).toBeLessThanOrEqual(6);
    expect(result.stats.activityCalls.map((c) => c.generation)).toEqual([0, 1, 2, 3]);
  });

  it('planted non-determinism: module state changes the schedule on replay -> NonDeterminismError with a diff', async () => {
    plantedReplays = 0;
    const run = hostWith().run('planted', null, { instanceId: 'planted-1' });
    await expect(run).rejects.toBeInstanceOf(NonDeterminismError);
    await expect(run).rejects.toThrow(/action #0:\s+first replay : CallActivity 'double'.*\s+second replay: CallActivity 'square'/);
  });

  it('planted non-determinism without the double replay -> the next episode contradicts the history', async () => {
    plantedReplays = 0;
    const run = hostWith(basicActivities, false).run('planted', null, { instanceId: 'planted-2' });
    await expect(run).rejects.toBeInstanceOf(NonDeterminismError);
    await expect(run).rejects.toThrow(/history records activity 'double'.*created activity 'square'/);
  });

  it("Task.any: the event arrives first -> the timer is cancelled and the clock doesn't move", async () => {
    const host = hostWith();
    host.raiseEvent('approval-1', 'approval', 'alice');
    const result = await host.run('approval', null, { instanceId: 'approval-1' });
    expect(result.output).toEqual({ approvedBy: 'alice', waitedMs: 0 });
  });

  it('Task.any: no event -> the timer wins after an hour of virtual time', async () => {
    const result = await hostWith().run('approval', null, { instanceId: 'approval-2' });
    expect(result.output).toEqual({ approvedBy: null, waitedMs: 3600_000 });
  });

  it('raiseEvent while running (from an activity) -> delivered with the next batch', async () => {
    const host: ReplayHost = hostWith({
      requestApproval: async (instanceId: string) => {
        host.raiseEvent(instanceId, 'approval', { by: 'bob' });
        return null;
      },
    });
    const result = await host.run('askThenWait', null, { instanceId: 'ask-1' });
    expect(result.output).toEqual({ by: 'bob' });
  });

  it('waitForExternalEvent that nobody raises -> OrchestrationIdleError naming the event', async () => {
    const run = hostWith().run('waitForever', null, { instanceId: 'idle-1' });
    await expect(run).rejects.toBeInstanceOf(OrchestrationIdleError);
    await expect(run).rejects.toThrow(/'approval'/);
  });

  it('re-yielding an in-flight task in a second Task.any -> SequenceMismatchError (the host schedules it twice)', async () => {
    const run = hostWith().run('reuseInFlightTask', null, { instanceId: 'reuse-1' });
    await expect(run).rejects.toBeInstanceOf(SequenceMismatchError);
    await expect(run).rejects.toThrow(/waits for activity 'square' as task #2, but the host created activity 'double'/);
  });

  it('Task.all left after its first failure -> the instance completes only once the host has awaited the rest', async () => {
    const broken = async (): Promise<never> => {
      throw new Error('nope');
    };
    const result = await hostWith({ broken }).run('leaveTaskAllEarly', null, { instanceId: 'early-1' });
    expect(result.output).toBe('caught');
    // Episode 2 returns 'caught', but the host still awaits the 60 s timer inside the Task.all.
    expect(result.stats.episodes).toBe(3);
  });

  it('stats: largest serialized input, output and custom status in bytes', async () => {
    const input = { rows: ['a@example.com', 'b@example.com', 'é@example.com'] };
    const result = await hostWith().run('sized', input, { instanceId: 'sized-1' });
    expect(result.customStatus).toEqual({ phase: 'copying', done: 3 });
    expect(result.stats.maxInputBytes).toBe(Buffer.byteLength(JSON.stringify(input)));
    expect(result.stats.maxOutputBytes).toBe(JSON.stringify({ copied: 3 }).length);
    expect(result.stats.maxCustomStatusBytes).toBe(JSON.stringify({ phase: 'copying', done: 3 }).length);
    expect(result.stats.activityCalls[0]).toMatchObject({ inputBytes: 1, outputBytes: 1 });
  });

  it('an orchestrator that throws -> Failed with the host-style message', async () => {
    const result = await hostWith().run('explode', null, { instanceId: 'fail-1' });
    expect(result).toMatchObject({ status: 'Failed', error: "Orchestrator function 'explode' failed: boom" });
  });

  it('calling an activity that is not registered -> Failed, as the extension rejects it', async () => {
    const result = await hostWith().run('callsUnknownActivity', null, { instanceId: 'fail-2' });
    expect(result.status).toBe('Failed');
    expect(result.error).toContain("The function 'noSuchActivity' doesn't exist");
  });

  it('an activity result JSON cannot carry (BigInt) -> the activity fails, as in the worker', async () => {
    const appendMessage = async (): Promise<unknown> => ({ uid: 42, uidValidity: 7n });
    const result = await hostWith({ appendMessage }).run('returnsBigInt', null, { instanceId: 'bigint-1' });
    expect(result.output).toMatch(/Activity function 'appendMessage' failed: .*BigInt/);
  });

  it('terminate() from inside an activity -> Terminated before the next episode', async () => {
    const host: ReplayHost = hostWith({
      stopMe: async (instanceId: string) => {
        host.terminate(instanceId, 'cancelled by operator');
        return null;
      },
    });
    const result = await host.run('selfTerminating', null, { instanceId: 'term-1' });
    expect(result).toMatchObject({ status: 'Terminated', output: 'cancelled by operator' });
    expect(result.stats.activityCalls.map((c) => c.name)).toEqual(['stopMe']);
  });

  it('an unknown orchestrator name -> HarnessError, not a silent failure', async () => {
    await expect(hostWith().run('nope', null, { instanceId: 'x' })).rejects.toBeInstanceOf(HarnessError);
  });
});

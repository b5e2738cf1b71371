// One call of the real orchestrator listener (durable-functions' Orchestrator + TaskOrchestrationExecutor)
// with the binding input the host would send, and its reply in wire form.
import { InvocationContext } from '@azure/functions';
import { performance } from 'node:perf_hooks';
import {
  ActionType,
  DurableOrchestrationInput,
  LONG_RUNNING_TIMER_INTERVAL,
  MAXIMUM_SHORT_TIMER,
  REPLAY_SCHEMA,
  type HistoryEvent,
  type OrchestratorListener,
} from './durable-internals.js';
import { HarnessError, NonDeterminismError } from './errors.js';
import { toWireState, type WireState } from './wire.js';

/** What the SDK waits for under a sequence number, read from its executor after the replay. */
export interface SdkExpectation {
  kind: 'activity' | 'subOrchestration' | 'timer';
  name?: string;
}

export interface EpisodeOutcome {
  state: WireState;
  /** The orchestrator threw; `state.error` holds the message the host reports. */
  failed: boolean;
  /** Open SDK tasks by sequence number (diagnostics and the sequence cross-check). */
  sdkOpenTasks: Map<number, SdkExpectation>;
  elapsedMs: number;
}

export interface EpisodeRequest {
  orchestratorName: string;
  instanceId: string;
  parentInstanceId: string | undefined;
  history: HistoryEvent[];
  input: unknown;
  episode: number;
}

/**
 * When the orchestrator throws, the SDK rejects with OrchestrationFailureError whose message ends
 * in "\n\n$OutOfProcData$:" + the state JSON; the extension parses the state (actions included)
 * out of that message. Any other rejection is the executor itself giving up.
 */
const OUT_OF_PROC_DATA = '\n\n$OutOfProcData$:';

export async function executeEpisode(listener: OrchestratorListener, request: EpisodeRequest): Promise<EpisodeOutcome> {
  const trigger = new DurableOrchestrationInput(
    request.instanceId,
    [...request.history],
    request.input,
    LONG_RUNNING_TIMER_INTERVAL,
    MAXIMUM_SHORT_TIMER,
    30_000,
    REPLAY_SCHEMA,
    false,
    request.parentInstanceId ?? '',
  );
  const context = new InvocationContext({
    functionName: request.orchestratorName,
    invocationId: `${request.instanceId}#${request.episode}`,
    logHandler: () => undefined,
  });
  const started = performance.now();
  let reply: unknown;
  let failed = false;
  try {
    reply = await listener(trigger, context);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    const at = message.indexOf(OUT_OF_PROC_DATA);
    if (at < 0) throw executorFailure(error, request);
    reply = JSON.parse(message.slice(at + OUT_OF_PROC_DATA.length)) as unknown;
    failed = true;
  }
  const elapsedMs = performance.now() - started;
  let state: WireState;
  try {
    state = toWireState(reply);
  } catch (error) {
    throw new HarnessError(
      `orchestrator '${request.orchestratorName}' (instance '${request.instanceId}') produced a reply the worker cannot send to the host: ${String(error)}`,
    );
  }
  return { state, failed, sdkOpenTasks: readOpenTasks(context), elapsedMs };
}

function executorFailure(error: unknown, request: EpisodeRequest): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/replay failure|non-?determinis/i.test(message)) {
    return new NonDeterminismError(
      `Non-deterministic orchestrator '${request.orchestratorName}' (instance '${request.instanceId}', episode ${request.episode}): ` +
        `the durable-functions executor could not replay the history: ${message}`,
      request.instanceId,
      request.episode,
    );
  }
  return error instanceof Error ? error : new HarnessError(message);
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/**
 * Reads `context.df.taskOrchestratorExecutor.openTasks` (SDK internals, read-only). A retrying
 * task waits on a NoOpTask whose parent RetryableTask says whether it is the retry timer or the
 * next attempt.
 */
function readOpenTasks(context: InvocationContext): Map<number, SdkExpectation> {
  const open = field(field(field(context, 'df'), 'taskOrchestratorExecutor'), 'openTasks');
  const result = new Map<number, SdkExpectation>();
  if (typeof open !== 'object' || open === null) return result;
  for (const [key, task] of Object.entries(open)) {
    const ownAction = field(task, 'actionObj');
    const parent = field(task, 'parent');
    const action = typeof ownAction === 'object' ? ownAction : field(parent, 'actionObj');
    const type = field(action, 'actionType');
    const name = field(action, 'functionName');
    const waitingOnRetryTimer = typeof ownAction !== 'object' && field(parent, 'isWaitingOnTimer') === true;
    const expectation: SdkExpectation | undefined =
      waitingOnRetryTimer || type === ActionType.CreateTimer
        ? { kind: 'timer' }
        : type === ActionType.CallActivity || type === ActionType.CallActivityWithRetry
          ? { kind: 'activity', name: typeof name === 'string' ? name : undefined }
          : type === ActionType.CallSubOrchestrator || type === ActionType.CallSubOrchestratorWithRetry
            ? { kind: 'subOrchestration', name: typeof name === 'string' ? name : undefined }
            : undefined;
    if (expectation) result.set(Number(key), expectation);
  }
  return result;
}

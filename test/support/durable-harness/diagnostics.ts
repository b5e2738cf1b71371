// Checks and error messages that compare the SDK's view of an episode with the host's.
import { OrchestrationIdleError, HarnessError, SequenceMismatchError } from './errors.js';
import type { EpisodeOutcome, EpisodeRequest } from './executor.js';
import { describeItem, type HostReplayResult } from './dtfx-action-shim.js';

/**
 * Every task the SDK still waits for must be the task the host created under the same sequence
 * number. A number the host has not used yet is fine: the host may still be awaiting an earlier
 * action (a Task.all left early) and will create it later.
 */
export function checkSequenceNumbers(request: EpisodeRequest, outcome: EpisodeOutcome, host: HostReplayResult): void {
  const hostItems = new Map(host.items.map((item) => [item.id, item]));
  for (const [id, expected] of outcome.sdkOpenTasks) {
    const item = hostItems.get(id);
    if (item === undefined) continue;
    const agrees = item.kind === expected.kind && (item.kind === 'timer' || expected.name === undefined || item.name === expected.name);
    if (agrees) continue;
    const wanted = `${expected.kind}${expected.name === undefined ? '' : ` '${expected.name}'`}`;
    throw new SequenceMismatchError(
      `orchestrator '${request.orchestratorName}' (instance '${request.instanceId}', episode ${request.episode}): the orchestrator waits for ` +
        `${wanted} as task #${id}, but the host created ${describeItem(item)} as #${id}, so #${id}'s result would reach the wrong task. ` +
        'durable-functions v3 does this when a task already in flight is yielded again inside a new Task.any/Task.all (the host ' +
        'schedules it a second time): put every task in exactly one Task.all/Task.any.',
    );
  }
}

export function idleError(request: EpisodeRequest, outcome: EpisodeOutcome, host: HostReplayResult): Error {
  const where = `orchestrator '${request.orchestratorName}' (instance '${request.instanceId}') after episode ${request.episode}`;
  if (host.waitingForEvents.length > 0) {
    return new OrchestrationIdleError(
      `${where} waits for external event(s) '${host.waitingForEvents.join("', '")}' and nothing else can happen: ` +
        'raise them with host.raiseEvent() before run() or from an activity.',
      request.instanceId,
      host.waitingForEvents,
    );
  }
  const sdk = [...outcome.sdkOpenTasks].map(([id, e]) => `#${id} ${e.kind}${e.name === undefined ? '' : ` '${e.name}'`}`);
  const open = host.items.filter((item) => !item.completed).map((item) => `#${item.id} ${describeItem(item)}`);
  return new HarnessError(
    `${where} is stuck: it has not finished but the host has nothing left to run. ` +
      `The orchestrator waits for: ${sdk.join(', ') || 'nothing'}; the host has open: ${open.join(', ') || 'nothing'}.`,
  );
}

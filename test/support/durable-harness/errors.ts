// Errors the harness throws at the test, as opposed to orchestration failures, which it reports
// as `status: 'Failed'` the way the host would.

/** A problem of the test setup or of the harness itself. */
export class HarnessError extends Error {
  override name = 'HarnessError';
}

/**
 * The orchestrator does not replay deterministically: two replays of one history scheduled
 * different work, the replay disagrees with the work recorded in the history (the host's
 * "Non-Deterministic workflow detected"), or the SDK's executor gave up on the replay.
 */
export class NonDeterminismError extends HarnessError {
  override name = 'NonDeterminismError';
  constructor(
    message: string,
    readonly instanceId: string,
    readonly episode: number,
  ) {
    super(message);
  }
}

/**
 * The SDK and the host disagree about which task a sequence number belongs to, so completions
 * would be delivered to the wrong task. In durable-functions v3 this happens when a task that is
 * already in flight is yielded again inside a new Task.any/Task.all: the host schedules it anew.
 */
export class SequenceMismatchError extends HarnessError {
  override name = 'SequenceMismatchError';
}

/** The orchestration waits for something nobody will deliver (an external event, usually). */
export class OrchestrationIdleError extends HarnessError {
  override name = 'OrchestrationIdleError';
  constructor(
    message: string,
    readonly instanceId: string,
    readonly waitingForEvents: string[],
  ) {
    super(message);
  }
}

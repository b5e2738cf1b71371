import type { OrchestrationContext, RetryOptions, Task } from 'durable-functions';
import type { ActivityResult } from '../../shared/contracts/activity-result.js';
import type { ActivityInput, ActivityName, ActivityOutput } from '../../shared/contracts/activities.js';

/** What `yield*` of an activity call gives back: the activity's typed result. */
export type ActivityCall<K extends ActivityName> = Generator<Task, ActivityResult<ActivityOutput<K>>, ActivityResult<ActivityOutput<K>>>;

/**
 * Calls an activity through its contract (shared/contracts/activities.ts): the input is checked
 * against the activity's, and `yield*` gives its typed result. With RetryOptions, transient
 * failures are retried by the host; once they are exhausted the call throws.
 */
export function* callActivity<K extends ActivityName>(context: OrchestrationContext, name: K, input: ActivityInput<K>, retry?: RetryOptions): ActivityCall<K> {
  return yield retry ? context.df.callActivityWithRetry(name, retry, input) : context.df.callActivity(name, input);
}

/**
 * Repeats a call after each wait `waitMs` asks for (a throttling answer's suggested time, a login
 * refusal while permissions propagate), on a durable timer, until it asks for none.
 */
export function* callAfterWaits<T>(
  context: OrchestrationContext,
  call: () => Generator<Task, ActivityResult<T>, ActivityResult<T>>,
  waitMs: (result: ActivityResult<T>) => number | undefined,
): Generator<Task, ActivityResult<T>, ActivityResult<T>> {
  for (;;) {
    const result = yield* call();
    const ms = waitMs(result);
    if (ms === undefined) return result;
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + ms));
  }
}

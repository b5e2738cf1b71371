// How failures reach an orchestrator on the real host: as text. The SDK turns a TaskFailed /
// SubOrchestrationInstanceFailed event into `new Error(`${Reason} \n ${Details}`)`, so the error
// class, `code` and any other fields an activity put on its error are gone by then (unless the
// app opts into FailureDetails, which the harness does not emulate).

export interface FailureText {
  reason: string;
  details: string;
}

/**
 * The Functions host wraps a worker error as RpcException "Result: Failure\nException: <message>\nStack: <stack>";
 * the extension cuts out the text after "\nException:" (keeping its leading space, hence two spaces
 * after "failed:") and reports TaskFailureException("Activity function '<name>' failed: <that>",
 * <the exception serialized as JSON>). The Details JSON here keeps the fields tests may look at.
 */
export function activityFailure(activityName: string, error: unknown): FailureText {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const friendly = ` ${message}`;
  return {
    reason: `Activity function '${activityName}' failed: ${friendly}`,
    details: JSON.stringify({
      $type: 'System.Exception, System.Private.CoreLib',
      ClassName: 'System.Exception',
      Message: friendly,
      InnerException: {
        ClassName: 'Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException',
        Message: `Result: Failure\nException: ${message}\nStack: ${stack}`,
      },
    }),
  };
}

/** The extension's OrchestrationFailureException: this text is the instance's output and status error. */
export const orchestratorFailureMessage = (orchestratorName: string, error: string): string =>
  `Orchestrator function '${orchestratorName}' failed: ${error}`;

/** A failed child reaches its parent with the child's failure message and "Message: …, StackTrace: …" details. */
export const subOrchestrationFailure = (childFailureMessage: string, childError: string): FailureText => ({
  reason: childFailureMessage,
  details: `Message: ${childError}, StackTrace: `,
});

import { activityInfo, ApplicationFailure, CompleteAsyncError, heartbeat, sleep } from '@temporalio/activity';
import { handOver } from './async-completion';

/** Fails its first two attempts, then returns the attempt number it saw. */
export async function flaky(): Promise<number> {
  const { attempt } = activityInfo();
  if (attempt < 3) {
    throw ApplicationFailure.create({ type: 'Flaky', message: `attempt ${attempt} fails` });
  }
  return attempt;
}

/** Throws a non-retryable ApplicationFailure with details, for the failure-encoding test. */
export async function rejectInput(input: string): Promise<never> {
  throw ApplicationFailure.create({
    type: 'TsBadInput',
    message: `bad input: ${input}`,
    nonRetryable: true,
    details: [{ field: 'input', value: input }, 7],
  });
}

/** Heartbeats until the server reports the activity cancelled; its sleep then throws a CancelledFailure. */
export async function heartbeatUntilCancelled(): Promise<never> {
  for (;;) {
    heartbeat();
    await sleep(50);
  }
}

/** Leaves its completion to whoever holds its task token (the test, through the client). */
export async function completeLater(): Promise<string> {
  const { taskToken, workflowExecution } = activityInfo();
  // workflowExecution is unset only for standalone activities, which this suite does not start.
  handOver(workflowExecution!.workflowId, taskToken);
  throw new CompleteAsyncError();
}

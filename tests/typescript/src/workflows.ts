// Every workflow of the suite: one bundle, shared by the worker and the replayer.
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  createNexusServiceClient,
  defineQuery,
  defineSignal,
  defineUpdate,
  executeChild,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from './activities';
import { greetingService, type WorkflowInput } from './nexus-service';
import { datetimeKey, intKey, keywordKey } from './search-attributes';

const { flaky } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  // Short, fixed backoff: three attempts take a fraction of a second.
  retry: { initialInterval: '50ms', backoffCoefficient: 1, maximumAttempts: 5 },
});
const { flaky: flakyLocal } = proxyLocalActivities<typeof activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '50ms', backoffCoefficient: 1, maximumAttempts: 5 },
});
const { heartbeatUntilCancelled } = proxyActivities<typeof activities>({
  startToCloseTimeout: '60s',
  heartbeatTimeout: '10s',
  // Wait for the activity to acknowledge: its cancellation then travels back through a heartbeat and is recorded.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});
const { completeLater } = proxyActivities<typeof activities>({ startToCloseTimeout: '60s' });
const { rejectInput } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '50ms', maximumAttempts: 5 },
});

export const addSignal = defineSignal<[string]>('add');
export const itemsQuery = defineQuery<string[]>('items');
export const addUpdate = defineUpdate<number, [number]>('add');
export const finishSignal = defineSignal('finish');
export const cancelActivitySignal = defineSignal('cancelActivity');
export const cancellationSeenQuery = defineQuery<string>('cancellationSeen');

export async function greet(name: string): Promise<string> {
  return `Hello, ${name}!`;
}

export async function retryingActivity(): Promise<number> {
  return await flaky();
}

export async function retryingLocalActivity(): Promise<number> {
  return await flakyLocal();
}

export async function asyncActivity(): Promise<string> {
  return await completeLater();
}

/** Runs a heartbeating activity until signalled, then cancels it and reports the failure chain it got back. */
export async function cancelsActivity(): Promise<string> {
  let cancel = false;
  setHandler(cancelActivitySignal, () => void (cancel = true));
  const scope = new CancellationScope();
  const running = scope.run(() => heartbeatUntilCancelled());
  await condition(() => cancel);
  scope.cancel();
  try {
    await running;
    return 'the activity completed';
  } catch (err) {
    return err instanceof ActivityFailure ? `ActivityFailure <- ${err.cause?.constructor.name}` : `${err}`;
  }
}

/** Returns how much workflow time passed across the timer. */
export async function sleeper(ms: number): Promise<number> {
  const before = Date.now();
  await sleep(ms);
  return Date.now() - before;
}

/** Collects signalled items until it has `count` of them; the items are queryable meanwhile. */
export async function collector(count: number): Promise<string[]> {
  const items: string[] = [];
  setHandler(addSignal, (item) => void items.push(item));
  setHandler(itemsQuery, () => [...items]);
  await condition(() => items.length >= count);
  return items;
}

/** Adds update arguments to a total until signalled to finish; negative arguments are refused by the validator. */
export async function counter(): Promise<number> {
  let total = 0;
  let finished = false;
  setHandler(
    addUpdate,
    (n) => {
      total += n;
      return total;
    },
    {
      validator: (n) => {
        if (n < 0) {
          throw new Error(`negative amount ${n}`);
        }
      },
    },
  );
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished);
  return total;
}

export async function parent(name: string): Promise<string> {
  const child = await executeChild(greet, { args: [name], workflowId: `${workflowInfo().workflowId}-child` });
  return `parent got: ${child}`;
}

/** Continues as new until `iteration` reaches `last`, each run passing the next iteration on. */
export async function chain(iteration: number, last: number): Promise<string> {
  if (iteration < last) {
    await continueAsNew<typeof chain>(iteration + 1, last);
  }
  return `finished at iteration ${iteration} of run ${workflowInfo().runId}`;
}

/** Sleeps a day; records what a cancellation looked like from inside before letting it fail the workflow. */
export async function cancellable(): Promise<void> {
  let seen = 'nothing';
  setHandler(cancellationSeenQuery, () => seen);
  try {
    await sleep('1 day');
  } catch (err) {
    seen = isCancellation(err) ? (err as Error).constructor.name : `not a cancellation: ${err}`;
    throw err;
  }
}

export async function waitForever(): Promise<void> {
  await condition(() => false);
}

export async function activityFailure(input: string): Promise<void> {
  await rejectInput(input);
}

export async function workflowFailure(): Promise<void> {
  throw ApplicationFailure.create({
    type: 'TsWorkflowError',
    message: 'workflow refuses',
    nonRetryable: true,
    details: ['first detail', { n: 2 }],
    cause: ApplicationFailure.create({ type: 'TsInnerError', message: 'inner reason', details: [true] }),
  });
}

/** Returns the search attributes it was started with, as the workflow reads them, and adds one to TsSuiteInt. */
export async function searchAttributesEcho(): Promise<{ keyword?: string; int?: number; datetime?: string }> {
  const attributes = workflowInfo().typedSearchAttributes;
  const int = attributes.get(intKey);
  upsertSearchAttributes([{ key: intKey, value: (int ?? 0) + 1 }]);
  return { keyword: attributes.get(keywordKey), int, datetime: attributes.get(datetimeKey)?.toISOString() };
}

/** Runs workflowFailure as a child and lets its failure fail the parent too. */
export async function childFailure(): Promise<void> {
  await executeChild(workflowFailure, { workflowId: `${workflowInfo().workflowId}-child` });
}

/** Calls greetingService's synchronous `hello` on the endpoint and returns its result. */
export async function nexusHello(endpoint: string, name: string): Promise<string> {
  const nexus = createNexusServiceClient({ endpoint, service: greetingService });
  return await nexus.executeOperation('hello', name, { scheduleToCloseTimeout: '30s' });
}

/** Calls the workflow-run `helloWorkflow`; returns the operation token the start gave and the result. */
export async function nexusHelloWorkflow(endpoint: string, input: WorkflowInput): Promise<{ token?: string; result: string }> {
  const nexus = createNexusServiceClient({ endpoint, service: greetingService });
  const handle = await nexus.startOperation('helloWorkflow', input, { scheduleToCloseTimeout: '30s' });
  return { token: handle.token, result: await handle.result() };
}

/** Calls `reject`, whose handler error fails this workflow (the NexusOperationFailure is not caught). */
export async function nexusRejected(endpoint: string, name: string): Promise<string> {
  const nexus = createNexusServiceClient({ endpoint, service: greetingService });
  return await nexus.executeOperation('reject', name, { scheduleToCloseTimeout: '30s' });
}

/**
 * Starts the workflow-run `waitWorkflow` in a cancellation scope, cancels the scope once the operation has started,
 * and reports what the operation's result then threw: its class, whether it is a cancellation, and its cause's class.
 */
export async function nexusCancel(endpoint: string, input: WorkflowInput): Promise<{ token?: string; error: string; cancellation: boolean; cause?: string }> {
  const nexus = createNexusServiceClient({ endpoint, service: greetingService });
  const scope = new CancellationScope();
  const handle = await scope.run(() => nexus.startOperation('waitWorkflow', input, { scheduleToCloseTimeout: '60s' }));
  scope.cancel();
  try {
    await handle.result();
    return { token: handle.token, error: 'none: the operation completed', cancellation: false };
  } catch (err) {
    return {
      token: handle.token,
      error: (err as Error).constructor.name,
      cancellation: isCancellation(err),
      cause: (err as Error).cause?.constructor.name,
    };
  }
}

/** Waits for `finish`, then says which worker deployment version ran its last task (worker versioning tests). */
export async function versionReport(): Promise<string> {
  let finished = false;
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished);
  return workflowInfo().currentDeploymentVersion?.buildId ?? 'unversioned';
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, WorkflowFailedError } from '@temporalio/client';
import { current, workflowId } from '../env';
import { activityFailure, childFailure, workflowFailure } from '../workflows';

function failureOf(err: unknown): WorkflowFailedError {
  assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${err}`);
  return err;
}

test('failure encoding: an activity\'s ApplicationFailure reaches the client with type, message, details and chain', async () => {
  const { client, taskQueue } = current();
  const handle = await client.workflow.start(activityFailure, {
    taskQueue,
    workflowId: workflowId('activity-failure'),
    args: ['x1'],
  });

  const err = failureOf(await handle.result().then(() => undefined, (e: unknown) => e));
  // The workflow rethrew the ActivityFailure: workflow failed <- activity failed <- application failure.
  assert.ok(err.cause instanceof ActivityFailure, `expected an ActivityFailure cause, got ${err.cause}`);
  assert.equal(err.cause.activityType, 'rejectInput');
  assert.equal(err.cause.retryState, 'NON_RETRYABLE_FAILURE', 'a non-retryable failure ends the retries');
  const app = err.cause.cause;
  assert.ok(app instanceof ApplicationFailure, `expected an ApplicationFailure, got ${app}`);
  assert.equal(app.type, 'TsBadInput');
  assert.equal(app.message, 'bad input: x1');
  assert.equal(app.nonRetryable, true);
  assert.deepEqual(app.details, [{ field: 'input', value: 'x1' }, 7]);
  assert.equal(app.cause, undefined);
});

test('failure encoding: a workflow\'s ApplicationFailure reaches the client with type, details and its cause', async () => {
  const { client, taskQueue } = current();
  const id = workflowId('workflow-failure');
  const handle = await client.workflow.start(workflowFailure, { taskQueue, workflowId: id });

  const err = failureOf(await handle.result().then(() => undefined, (e: unknown) => e));
  const app = err.cause;
  assert.ok(app instanceof ApplicationFailure, `expected an ApplicationFailure cause, got ${app}`);
  assert.equal(app.type, 'TsWorkflowError');
  assert.equal(app.message, 'workflow refuses');
  assert.equal(app.nonRetryable, true);
  assert.deepEqual(app.details, ['first detail', { n: 2 }]);
  const inner = app.cause;
  assert.ok(inner instanceof ApplicationFailure, `expected an ApplicationFailure as its cause, got ${inner}`);
  assert.equal(inner.type, 'TsInnerError');
  assert.equal(inner.message, 'inner reason');
  assert.deepEqual(inner.details, [true]);
  assert.equal((await handle.describe()).status.name, 'FAILED');
});

test('failure encoding: a child\'s failure reaches the parent\'s client as ChildWorkflowFailure with the whole chain', async () => {
  const { client, taskQueue } = current();
  const id = workflowId('child-failure');
  const handle = await client.workflow.start(childFailure, { taskQueue, workflowId: id });

  const err = failureOf(await handle.result().then(() => undefined, (e: unknown) => e));
  const child = err.cause;
  assert.ok(child instanceof ChildWorkflowFailure, `expected a ChildWorkflowFailure cause, got ${child}`);
  assert.equal(child.execution.workflowId, `${id}-child`);
  assert.equal(child.workflowType, 'workflowFailure');
  const app = child.cause;
  assert.ok(app instanceof ApplicationFailure, `expected an ApplicationFailure, got ${app}`);
  assert.equal(app.type, 'TsWorkflowError');
  assert.deepEqual(app.details, ['first detail', { n: 2 }]);
  assert.ok(app.cause instanceof ApplicationFailure && app.cause.type === 'TsInnerError', `inner cause ${app.cause}`);
});

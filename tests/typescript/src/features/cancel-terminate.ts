import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledFailure, TerminatedFailure, TimeoutFailure, WorkflowFailedError } from '@temporalio/client';
import { current, workflowId } from '../env';
import { events, withAttributes } from '../history';
import { cancellable, cancellationSeenQuery, waitForever } from '../workflows';

test('cancel: the workflow sees a CancelledFailure and its result rejects with it', async () => {
  const { client, taskQueue } = current();
  const handle = await client.workflow.start(cancellable, { taskQueue, workflowId: workflowId('cancel') });
  // The timer exists once the first workflow task completed; cancel after that, mid-sleep.
  assert.equal(await handle.query(cancellationSeenQuery), 'nothing');
  await handle.cancel();

  await assert.rejects(handle.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${err}`);
    assert.ok(err.cause instanceof CancelledFailure, `expected a CancelledFailure cause, got ${err.cause}`);
    return true;
  });
  assert.equal(await handle.query(cancellationSeenQuery), 'CancelledFailure');
  assert.equal((await handle.describe()).status.name, 'CANCELLED');
  const history = await events(handle);
  assert.equal(withAttributes(history, 'workflowExecutionCancelRequestedEventAttributes').length, 1);
  assert.equal(withAttributes(history, 'timerCanceledEventAttributes').length, 1);
  assert.equal(withAttributes(history, 'workflowExecutionCanceledEventAttributes').length, 1);
});

test('terminate: the result rejects with a TerminatedFailure and describe shows TERMINATED', async () => {
  const { client, taskQueue } = current();
  const handle = await client.workflow.start(waitForever, { taskQueue, workflowId: workflowId('terminate') });
  await handle.terminate('enough waiting');

  await assert.rejects(handle.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${err}`);
    assert.ok(err.cause instanceof TerminatedFailure, `expected a TerminatedFailure cause, got ${err.cause}`);
    assert.equal(err.cause.message, 'enough waiting');
    return true;
  });
  const description = await handle.describe();
  assert.equal(description.status.name, 'TERMINATED');
  assert.ok(description.closeTime, 'a terminated workflow has a close time');
  const terminated = withAttributes(await events(handle), 'workflowExecutionTerminatedEventAttributes');
  assert.equal(terminated.length, 1);
  assert.equal(terminated[0].reason, 'enough waiting');
});

test('timeout: a workflow past its run timeout fails with a TimeoutFailure and describes as TIMED_OUT', async () => {
  const { client, taskQueue } = current();
  const handle = await client.workflow.start(waitForever, {
    taskQueue,
    workflowId: workflowId('run-timeout'),
    workflowRunTimeout: '1s',
  });

  await assert.rejects(handle.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${err}`);
    assert.ok(err.cause instanceof TimeoutFailure, `expected a TimeoutFailure cause, got ${err.cause}`);
    assert.equal(err.cause.timeoutType, 'START_TO_CLOSE');
    return true;
  });
  assert.equal((await handle.describe()).status.name, 'TIMED_OUT');
  assert.equal(withAttributes(await events(handle), 'workflowExecutionTimedOutEventAttributes').length, 1);
});

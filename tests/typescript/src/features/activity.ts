import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivityNotFoundError } from '@temporalio/client';
import { taskTokenOf } from '../async-completion';
import { current, eventually, workflowId } from '../env';
import { events, withAttributes } from '../history';
import {
  asyncActivity,
  cancelActivitySignal,
  cancelsActivity,
  retryingActivity,
  retryingLocalActivity,
} from '../workflows';

test('activity: a failing activity is retried until its third attempt succeeds, and sees its attempt number', async () => {
  const { client, taskQueue } = current();
  const handle = await client.workflow.start(retryingActivity, { taskQueue, workflowId: workflowId('activity') });

  assert.equal(await handle.result(), 3, 'the activity returns the attempt number it was given');
  const history = await events(handle);
  // Retries are not in history: one scheduled event, and the started event of the attempt that completed.
  assert.equal(withAttributes(history, 'activityTaskScheduledEventAttributes').length, 1);
  const started = withAttributes(history, 'activityTaskStartedEventAttributes');
  assert.equal(started.length, 1);
  assert.equal(started[0].attempt, 3, 'the attempt that completed');
  const failure = started[0].lastFailure;
  assert.equal(failure?.message, 'attempt 2 fails', 'the started event carries the last attempt\'s failure');
  assert.equal(failure?.applicationFailureInfo?.type, 'Flaky');
  assert.equal(withAttributes(history, 'activityTaskCompletedEventAttributes').length, 1);
});

test('local activity: a failing local activity is retried by the worker until its third attempt, recorded once', async () => {
  const { client, taskQueue } = current();
  const id = workflowId('local-activity');
  const handle = await client.workflow.start(retryingLocalActivity, { taskQueue, workflowId: id });

  assert.equal(await handle.result(), 3, 'the local activity returns the attempt number it was given');
  const history = await events(handle);
  // A local activity leaves a marker, not activity events.
  assert.equal(withAttributes(history, 'markerRecordedEventAttributes').length, 1);
  assert.equal(withAttributes(history, 'activityTaskScheduledEventAttributes').length, 0);
});

test('activity cancellation: a heartbeating activity learns of its cancellation and the workflow gets CancelledFailure', async () => {
  const { client, taskQueue } = current();
  const id = workflowId('activity-cancel');
  const handle = await client.workflow.start(cancelsActivity, { taskQueue, workflowId: id });
  // Cancel only once the activity runs and has heartbeated, so that the cancellation reaches it through a heartbeat.
  await eventually(
    async () => (await handle.describe()).raw.pendingActivities?.[0]?.lastHeartbeatTime != null,
    (heartbeated) => heartbeated,
    'the activity heartbeated',
  );
  await handle.signal(cancelActivitySignal);

  assert.equal(await handle.result(), 'ActivityFailure <- CancelledFailure');
  const history = await events(handle);
  assert.equal(withAttributes(history, 'activityTaskCancelRequestedEventAttributes').length, 1);
  assert.equal(withAttributes(history, 'activityTaskCanceledEventAttributes').length, 1);
  assert.equal(withAttributes(history, 'activityTaskCompletedEventAttributes').length, 0);
});

test('async completion: the client completes an activity by its task token; a second completion finds no activity', async () => {
  const { client, taskQueue } = current();
  const id = workflowId('async-completion');
  const token = taskTokenOf(id);
  const handle = await client.workflow.start(asyncActivity, { taskQueue, workflowId: id });
  const taskToken = await token;

  await client.activity.heartbeat(taskToken, 'still working');
  await client.activity.complete(taskToken, 'completed by the client');
  assert.equal(await handle.result(), 'completed by the client');
  await assert.rejects(client.activity.complete(taskToken, 'again'), ActivityNotFoundError);
  const completed = withAttributes(await events(handle), 'activityTaskCompletedEventAttributes');
  assert.equal(completed.length, 1);
});

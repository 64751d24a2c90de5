import assert from 'node:assert/strict';
import { test } from 'node:test';
import { current, workflowId } from '../env';
import { events, withAttributes } from '../history';
import { retryingActivity, retryingLocalActivity } from '../workflows';

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
  assert.equal(failure?.message, 'attempt 2 fails', 'the started event carries the previous attempt\'s failure');
  assert.equal(failure?.applicationFailureInfo?.type, 'Flaky');
  assert.equal(withAttributes(history, 'activityTaskCompletedEventAttributes').length, 1);
});

test('local activity: a failing local activity is retried by the worker until its third attempt, recorded once', async () => {
  const { client, taskQueue } = current();
  const handle = await client.workflow.start(retryingLocalActivity, { taskQueue, workflowId: workflowId('local-activity') });

  assert.equal(await handle.result(), 3, 'the local activity returns the attempt number it was given');
  const history = await events(handle);
  // A local activity leaves a marker, not activity events.
  assert.equal(withAttributes(history, 'markerRecordedEventAttributes').length, 1);
  assert.equal(withAttributes(history, 'activityTaskScheduledEventAttributes').length, 0);
});

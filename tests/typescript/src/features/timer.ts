import assert from 'node:assert/strict';
import { test } from 'node:test';
import { current, workflowId } from '../env';
import { events, withAttributes } from '../history';
import { sleeper } from '../workflows';

test('timer: a workflow sleep is a timer that fires, no earlier than its duration in workflow time', async () => {
  const { client, taskQueue } = current();
  const ms = 1500;
  const handle = await client.workflow.start(sleeper, { taskQueue, workflowId: workflowId('timer'), args: [ms] });

  const elapsed = await handle.result();
  assert.ok(elapsed >= ms, `workflow time advanced ${elapsed} ms across a ${ms} ms timer`);
  const history = await events(handle);
  const started = withAttributes(history, 'timerStartedEventAttributes');
  assert.equal(started.length, 1);
  const timeout = started[0].startToFireTimeout;
  assert.equal(Number(timeout?.seconds ?? 0) * 1000 + (timeout?.nanos ?? 0) / 1e6, ms, 'the timer\'s duration');
  const fired = withAttributes(history, 'timerFiredEventAttributes');
  assert.equal(fired.length, 1);
  assert.equal(fired[0].timerId, started[0].timerId);
});

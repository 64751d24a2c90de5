import assert from 'node:assert/strict';
import { test } from 'node:test';
import { current, workflowId } from '../env';
import { addSignal, collector, itemsQuery } from '../workflows';

test('signal: signals reach the workflow in the order sent and complete it', async () => {
  const { client, taskQueue } = current();
  const handle = await client.workflow.start(collector, { taskQueue, workflowId: workflowId('signal'), args: [3] });
  await handle.signal(addSignal, 'a');
  await handle.signal(addSignal, 'b');
  await handle.signal(addSignal, 'c');
  assert.deepEqual(await handle.result(), ['a', 'b', 'c']);
});

test('query: a query answers from the workflow\'s state, while it runs and after it closed', async () => {
  const { client, taskQueue } = current();
  const handle = await client.workflow.start(collector, { taskQueue, workflowId: workflowId('query'), args: [2] });
  assert.deepEqual(await handle.query(itemsQuery), [], 'before any signal');
  await handle.signal(addSignal, 'x');
  // A query sees every signal that was accepted before it (Temporal answers it after the signal's workflow task).
  assert.deepEqual(await handle.query(itemsQuery), ['x'], 'after one signal');
  await handle.signal(addSignal, 'y');
  assert.deepEqual(await handle.result(), ['x', 'y']);
  assert.deepEqual(await handle.query(itemsQuery), ['x', 'y'], 'after the workflow completed');
  await assert.rejects(handle.query('noSuchQuery'), /noSuchQuery/, 'an unknown query type is refused with its name');
});

test('signal-with-start: starts the workflow and delivers the signal before its first run', async () => {
  const { client, taskQueue } = current();
  const id = workflowId('signal-with-start');
  const handle = await client.workflow.signalWithStart(collector, {
    taskQueue,
    workflowId: id,
    args: [2],
    signal: addSignal,
    signalArgs: ['first'],
  });
  // A second signal-with-start on the running workflow signals it, no second run.
  const again = await client.workflow.signalWithStart(collector, {
    taskQueue,
    workflowId: id,
    args: [2],
    signal: addSignal,
    signalArgs: ['second'],
  });
  assert.equal(again.signaledRunId, handle.signaledRunId);
  assert.deepEqual(await handle.result(), ['first', 'second']);
});

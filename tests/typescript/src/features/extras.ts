import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { current, datetimeKey, intKey, keywordKey, workflowId } from '../env';
import { addSignal, collector, greet, parent, retryingActivity } from '../workflows';

test('describe: search attributes set at start come back typed', async () => {
  const { client, taskQueue } = current();
  const when = new Date('2026-01-02T03:04:05.678Z');
  const handle = await client.workflow.start(greet, {
    taskQueue,
    workflowId: workflowId('typed-sa'),
    args: ['typed'],
    typedSearchAttributes: [
      { key: keywordKey, value: 'kw' },
      { key: intKey, value: 42 },
      { key: datetimeKey, value: when },
    ],
  });
  await handle.result();
  const attributes = (await handle.describe()).typedSearchAttributes;
  assert.equal(attributes.get(keywordKey), 'kw');
  assert.equal(attributes.get(intKey), 42);
  assert.deepEqual(attributes.get(datetimeKey), when);
});

test('replay: histories fetched from the server replay without nondeterminism on the same workflow bundle', async () => {
  const { client, taskQueue, workflowBundle } = current();
  const handles = [
    await client.workflow.start(parent, { taskQueue, workflowId: workflowId('replay-parent'), args: ['r'] }),
    await client.workflow.start(retryingActivity, { taskQueue, workflowId: workflowId('replay-activity') }),
    await client.workflow.start(collector, { taskQueue, workflowId: workflowId('replay-signals'), args: [1] }),
  ];
  await handles[2].signal(addSignal, 'one');
  for (const handle of handles) {
    await handle.result();
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle }, history, handle.workflowId);
  }
  // The replayer is not trivially passing: the parent's history replayed as `greet` (which starts no child) fails.
  const parentHistory = await handles[0].fetchHistory();
  parentHistory.events![0].workflowExecutionStartedEventAttributes!.workflowType = { name: 'greet' };
  await assert.rejects(Worker.runReplayHistory({ workflowBundle }, parentHistory), (err: unknown) => {
    assert.equal((err as Error).name, 'DeterminismViolationError', `got ${err}`);
    return true;
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { current, eventually, workflowId } from '../env';
import { datetimeKey, intKey, keywordKey } from '../search-attributes';
import { addSignal, collector, parent, retryingActivity, searchAttributesEcho } from '../workflows';

test('search attributes: typed at start, read by the workflow, upserted by it, typed in describe and listable', async () => {
  const { client, taskQueue } = current();
  const tag = randomUUID();
  const when = new Date('2026-01-02T03:04:05.678Z');
  const handle = await client.workflow.start(searchAttributesEcho, {
    taskQueue,
    workflowId: workflowId('typed-sa'),
    typedSearchAttributes: [
      { key: keywordKey, value: tag },
      { key: intKey, value: 42 },
      { key: datetimeKey, value: when },
    ],
  });
  const read = await handle.result();
  assert.deepEqual(read, { keyword: tag, int: 42, datetime: when.toISOString() }, 'what the workflow read');

  const attributes = (await handle.describe()).typedSearchAttributes;
  assert.equal(attributes.get(keywordKey), tag);
  assert.equal(attributes.get(intKey), 43, 'the workflow\'s upsert');
  assert.deepEqual(attributes.get(datetimeKey), when);
  const query = `${keywordKey.name} = '${tag}' AND ${intKey.name} = 43`;
  const found = await eventually(() => client.workflow.count(query), (c) => c.count === 1, query);
  assert.equal(found.count, 1);
});

test('search attributes: set untyped at start (the deprecated option), the server gives them their registered types', async () => {
  const { client, taskQueue } = current();
  const tag = randomUUID();
  const when = new Date('2026-03-04T05:06:07.089Z');
  // The deprecated `searchAttributes` option sends payloads without the type metadata; Temporal adds the registered
  // type when it returns them (DescribeWorkflowExecution, the started event the worker reads).
  const handle = await client.workflow.start(searchAttributesEcho, {
    taskQueue,
    workflowId: workflowId('untyped-sa'),
    searchAttributes: { [keywordKey.name]: [tag], [intKey.name]: [7], [datetimeKey.name]: [when] },
  });
  const read = await handle.result();
  assert.deepEqual(read, { keyword: tag, int: 7, datetime: when.toISOString() }, 'what the workflow read');
  const attributes = (await handle.describe()).typedSearchAttributes;
  assert.equal(attributes.get(keywordKey), tag);
  assert.equal(attributes.get(intKey), 8, 'the workflow\'s upsert');
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

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { current, workflowId } from '../env';
import { greet } from '../workflows';

test('start: a started workflow completes with its result and describes as COMPLETED', async () => {
  const { client, taskQueue } = current();
  const id = workflowId('start');
  const handle = await client.workflow.start(greet, {
    taskQueue,
    workflowId: id,
    args: ['Tempora'],
    memo: { owner: 'ts-suite', tags: ['a', 'b'] },
  });
  assert.equal(handle.workflowId, id);
  assert.ok(handle.firstExecutionRunId, 'the start returns a run id');

  assert.equal(await handle.result(), 'Hello, Tempora!');
  const description = await handle.describe();
  assert.equal(description.status.name, 'COMPLETED');
  assert.equal(description.type, 'greet');
  assert.equal(description.taskQueue, taskQueue);
  assert.equal(description.runId, handle.firstExecutionRunId);
  assert.deepEqual(description.memo, { owner: 'ts-suite', tags: ['a', 'b'] });
  assert.equal(description.historyLength, 5, 'started, workflow task scheduled/started/completed, completed');
  // Timeouts not given at start are unset, not zero (Temporal leaves the fields out).
  const config = description.raw.executionConfig;
  assert.equal(config?.workflowRunTimeout ?? null, null, 'workflow run timeout');
  assert.equal(config?.workflowExecutionTimeout ?? null, null, 'workflow execution timeout');
});

test('start: a second start with a running workflow\'s id is refused as already started', async () => {
  const { client } = current();
  const id = workflowId('start-dup');
  // No worker polls this task queue, so the first run stays running.
  const first = await client.workflow.start(greet, { taskQueue: `${id}-idle`, workflowId: id, args: ['a'] });
  await assert.rejects(
    client.workflow.start(greet, { taskQueue: `${id}-idle`, workflowId: id, args: ['b'] }),
    (err: unknown) => err instanceof WorkflowExecutionAlreadyStartedError && err.workflowId === id,
  );
  await first.terminate('test done');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { current, workflowId } from '../env';
import { events, withAttributes } from '../history';
import { parent } from '../workflows';

test('child: a child workflow runs to completion and its result reaches the parent', async () => {
  const { client, taskQueue } = current();
  const id = workflowId('parent');
  const handle = await client.workflow.start(parent, { taskQueue, workflowId: id, args: ['child'] });
  assert.equal(await handle.result(), 'parent got: Hello, child!');

  const child = await client.workflow.getHandle(`${id}-child`).describe();
  assert.equal(child.status.name, 'COMPLETED');
  assert.equal(child.type, 'greet');
  assert.equal(child.parentExecution?.workflowId, id);
  assert.equal(child.parentExecution?.runId, handle.firstExecutionRunId);

  const history = await events(handle);
  const initiated = withAttributes(history, 'startChildWorkflowExecutionInitiatedEventAttributes');
  assert.equal(initiated.length, 1);
  assert.equal(initiated[0].workflowId, `${id}-child`);
  const completed = withAttributes(history, 'childWorkflowExecutionCompletedEventAttributes');
  assert.equal(completed.length, 1);
  assert.equal(completed[0].workflowExecution?.runId, child.runId);
});

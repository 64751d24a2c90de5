import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure, WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { current, workflowId } from '../env';
import { events, withAttributes } from '../history';
import { addUpdate, counter, finishSignal } from '../workflows';

test('update: accepted updates return their results; one the validator rejects fails and leaves no trace', async () => {
  const { client, taskQueue } = current();
  const handle = await client.workflow.start(counter, { taskQueue, workflowId: workflowId('update') });

  assert.equal(await handle.executeUpdate(addUpdate, { args: [5] }), 5);
  assert.equal(await handle.executeUpdate(addUpdate, { args: [2] }), 7);
  await assert.rejects(handle.executeUpdate(addUpdate, { args: [-1] }), (err: unknown) => {
    assert.ok(err instanceof WorkflowUpdateFailedError, `expected WorkflowUpdateFailedError, got ${err}`);
    assert.ok(err.cause instanceof ApplicationFailure, `expected an ApplicationFailure cause, got ${err.cause}`);
    assert.equal(err.cause.message, 'negative amount -1');
    return true;
  });
  // With an update started by id, a second request for the same id gets the first one's result.
  const byId = await handle.startUpdate(addUpdate, { args: [10], updateId: 'ten', waitForStage: 'ACCEPTED' });
  assert.equal(await byId.result(), 17);
  assert.equal(await handle.getUpdateHandle<number>('ten').result(), 17);

  await handle.signal(finishSignal);
  assert.equal(await handle.result(), 17, 'the rejected update changed nothing');
  const history = await events(handle);
  assert.equal(withAttributes(history, 'workflowExecutionUpdateAcceptedEventAttributes').length, 3);
  assert.equal(withAttributes(history, 'workflowExecutionUpdateCompletedEventAttributes').length, 3);
  assert.equal(withAttributes(history, 'workflowExecutionUpdateRejectedEventAttributes').length, 0);
  const inputs = withAttributes(history, 'workflowExecutionUpdateAcceptedEventAttributes').map(
    (a) => a.acceptedRequest?.meta?.updateId,
  );
  assert.ok(inputs.includes('ten'), `the accepted update ids ${JSON.stringify(inputs)} include 'ten'`);
});

test('update-with-start: one request starts the workflow and runs the update; the next one updates the running workflow', async () => {
  const { client, taskQueue } = current();
  const id = workflowId('update-with-start');
  const options = { taskQueue, workflowId: id };
  const start = new WithStartWorkflowOperation(counter, { ...options, workflowIdConflictPolicy: 'FAIL' });
  const first = await client.workflow.executeUpdateWithStart(addUpdate, { args: [4], startWorkflowOperation: start });
  assert.equal(first, 4);
  const handle = await start.workflowHandle();
  const runId = (await handle.describe()).runId;

  const again = new WithStartWorkflowOperation(counter, { ...options, workflowIdConflictPolicy: 'USE_EXISTING' });
  const second = await client.workflow.executeUpdateWithStart(addUpdate, { args: [3], startWorkflowOperation: again });
  assert.equal(second, 7);
  assert.equal((await (await again.workflowHandle()).describe()).runId, runId, 'no second run');

  await handle.signal(finishSignal);
  assert.equal(await handle.result(), 7);
});

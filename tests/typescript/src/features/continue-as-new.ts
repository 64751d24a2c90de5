import assert from 'node:assert/strict';
import { test } from 'node:test';
import { current, workflowId } from '../env';
import { events, withAttributes } from '../history';
import { chain } from '../workflows';

test('continue-as-new: the run chain is linked in history and the result comes from its last run', async () => {
  const { client, taskQueue } = current();
  const id = workflowId('chain');
  const handle = await client.workflow.start(chain, { taskQueue, workflowId: id, args: [0, 2] });

  // result() follows the chain from the first run to the last.
  const result = await handle.result();
  const last = await client.workflow.getHandle(id).describe();
  assert.equal(result, `finished at iteration 2 of run ${last.runId}`);
  assert.equal(last.status.name, 'COMPLETED');

  // Walk the chain from the first run through each run's continued-as-new event.
  const runs = [handle.firstExecutionRunId];
  for (;;) {
    const history = await events(client.workflow.getHandle(id, runs[runs.length - 1]));
    const continued = withAttributes(history, 'workflowExecutionContinuedAsNewEventAttributes');
    if (continued.length === 0) {
      break;
    }
    assert.equal(continued[0].workflowType?.name, 'chain');
    runs.push(continued[0].newExecutionRunId!);
  }
  assert.equal(runs.length, 3, `runs ${JSON.stringify(runs)}`);
  assert.equal(runs[2], last.runId);
  const firstRun = await client.workflow.getHandle(id, runs[0]).describe();
  assert.equal(firstRun.status.name, 'CONTINUED_AS_NEW');
});

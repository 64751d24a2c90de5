import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { current, eventually, workflowId } from '../env';
import { keywordKey } from '../search-attributes';
import { greet, waitForever } from '../workflows';

async function listIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const info of current().client.workflow.list({ query })) {
    ids.push((info as WorkflowExecutionInfo).workflowId);
  }
  return ids.sort();
}

test('list: a visibility query by WorkflowType, ExecutionStatus and a custom search attribute, and count', async () => {
  const { client, taskQueue } = current();
  // One value of the custom attribute for this test's workflows only: other tests' workflows never match.
  const tag = randomUUID();
  const typedSearchAttributes = [{ key: keywordKey, value: tag }];
  const done = [workflowId('list-done'), workflowId('list-done')].sort();
  for (const id of done) {
    await client.workflow.execute(greet, { taskQueue, workflowId: id, args: [id], typedSearchAttributes });
  }
  const runningId = workflowId('list-running');
  const running = await client.workflow.start(waitForever, { taskQueue, workflowId: runningId, typedSearchAttributes });

  const mine = `${keywordKey.name} = '${tag}'`;
  const completedGreets = `${mine} AND WorkflowType = 'greet' AND ExecutionStatus = 'Completed'`;
  assert.deepEqual(await eventually(() => listIds(completedGreets), (ids) => ids.length === 2, completedGreets), done);
  assert.deepEqual(await listIds(`${mine} AND ExecutionStatus = 'Running'`), [runningId]);
  assert.deepEqual(await listIds(`${mine} AND WorkflowType = 'waitForever'`), [runningId]);
  assert.deepEqual(await listIds(`${keywordKey.name} = 'no-such-${tag}'`), []);

  assert.equal((await client.workflow.count(completedGreets)).count, 2);
  const all = await client.workflow.count(mine);
  assert.equal(all.count, 3);
  const byStatus = await client.workflow.count(`${mine} GROUP BY ExecutionStatus`);
  const groups = Object.fromEntries(byStatus.groups.map((g) => [String(g.groupValues[0]), g.count]));
  assert.deepEqual(groups, { Completed: 2, Running: 1 });

  // The list entries carry what the workflows were started with.
  for await (const info of client.workflow.list({ query: `${mine} AND WorkflowId = '${runningId}'` })) {
    assert.equal(info.type, 'waitForever');
    assert.equal(info.status.name, 'RUNNING');
    assert.equal(info.taskQueue, taskQueue);
    assert.equal(info.typedSearchAttributes.get(keywordKey), tag);
  }
  await running.terminate('test done');
});

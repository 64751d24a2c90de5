import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { NativeConnection, Worker } from '@temporalio/worker';
import { current, eventually, workflowId } from '../env';
import { finishSignal, versionReport } from '../workflows';

/**
 * Worker versioning with the TypeScript SDK's workerDeploymentOptions: two builds of the suite's workflows poll one
 * task queue, pinned by the workers' default behavior. A workflow started while 1.0 is current stays on 1.0 after
 * 2.0 becomes current; one started after goes to 2.0.
 */
test('versioning: a pinned workflow stays on its version; new workflows follow the current version', async () => {
  const { client, workflowBundle } = current();
  const deploymentName = `ts-dep-${randomUUID().slice(0, 8)}`;
  const taskQueue = `ts-versioning-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: process.env.TEMPORA_TS_ADDRESS || '127.0.0.1:7233' });
  const build = (buildId: string) =>
    Worker.create({
      connection,
      taskQueue,
      workflowBundle,
      workerDeploymentOptions: {
        version: { deploymentName, buildId },
        useWorkerVersioning: true,
        defaultVersioningBehavior: 'PINNED',
      },
    });
  const service = client.workflowService;
  const setCurrent = async (buildId: string) => {
    const { conflictToken } = await service.describeWorkerDeployment({ namespace: 'default', deploymentName });
    await service.setWorkerDeploymentCurrentVersion({ namespace: 'default', deploymentName, buildId, conflictToken });
  };
  const [v1, v2] = [await build('1.0'), await build('2.0')];
  try {
    await v1.runUntil(
      v2.runUntil(async () => {
        await eventually(
          () => service.describeWorkerDeployment({ namespace: 'default', deploymentName }).catch(() => undefined),
          (d) => d?.workerDeploymentInfo?.versionSummaries?.length === 2,
          'both versions registered by their polls',
        );
        await setCurrent('1.0');
        const early = await client.workflow.start(versionReport, { taskQueue, workflowId: workflowId('pinned-early') });
        const described = await eventually(
          () => early.describe(),
          (d) => d.raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId === '1.0',
          'the early workflow on 1.0',
        );
        assert.equal(described.raw.workflowExecutionInfo?.versioningInfo?.behavior, 1 /* VERSIONING_BEHAVIOR_PINNED */);

        await setCurrent('2.0');
        const late = await client.workflow.start(versionReport, { taskQueue, workflowId: workflowId('pinned-late') });
        await early.signal(finishSignal);
        await late.signal(finishSignal);
        assert.equal(await early.result(), '1.0');
        assert.equal(await late.result(), '2.0');
      }),
    );
  } finally {
    await connection.close();
  }
});

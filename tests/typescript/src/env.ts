// The suite's one server connection, worker and workflow bundle, shared by every test (bundling costs seconds).
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  NativeConnection,
  Runtime,
  Worker,
} from '@temporalio/worker';
import type { LogLevel, WorkflowBundle } from '@temporalio/worker';
import * as activities from './activities';
import { greetingHandler } from './nexus-handler';

export interface Suite {
  client: Client;
  taskQueue: string;
  /** The Nexus worker's task queue: the target of the endpoints the Nexus tests create. */
  nexusTaskQueue: string;
  workflowBundle: WorkflowBundle;
}

let suite: Suite | undefined;
let stop: (() => Promise<void>) | undefined;

export function current(): Suite {
  if (!suite) {
    throw new Error('the suite is not started: its before hook failed');
  }
  return suite;
}

export async function start(): Promise<void> {
  const address = process.env.TEMPORA_TS_ADDRESS || '127.0.0.1:7233';
  // The SDK warns of every activity and workflow failure, and several tests fail them on purpose; set
  // TEMPORA_TS_LOG_LEVEL=WARN (or DEBUG) to see the SDK's own log when a test fails.
  const level = (process.env.TEMPORA_TS_LOG_LEVEL || 'ERROR') as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level),
    // The SDK's core (Rust) logs to the console on its own; send its log through the same logger and level.
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: level }) } },
  });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows'),
    logger: new DefaultLogger(level),
  });
  const taskQueue = `ts-suite-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle,
    activities,
    // Heartbeats are sent at most every 80% of the heartbeat timeout by default; the activity-cancellation test
    // learns of its cancellation from the next heartbeat's response, so send them often.
    maxHeartbeatThrottleInterval: '200ms',
    // 0 turns the workflow cache off: every workflow task then replays the run's full history from the server.
    ...(process.env.TEMPORA_TS_MAX_CACHED_WORKFLOWS ? { maxCachedWorkflows: Number(process.env.TEMPORA_TS_MAX_CACHED_WORKFLOWS) } : {}),
  });
  // The Nexus handler worker: greetingService (nexusServices) and the workflows its workflow-run operations start,
  // on a task queue of its own, as a handler in another team's worker would be.
  const nexusTaskQueue = `ts-suite-nexus-${randomUUID()}`;
  const nexusWorker = await Worker.create({
    connection: nativeConnection,
    taskQueue: nexusTaskQueue,
    workflowBundle,
    nexusServices: [greetingHandler],
    ...(process.env.TEMPORA_TS_MAX_CACHED_WORKFLOWS ? { maxCachedWorkflows: Number(process.env.TEMPORA_TS_MAX_CACHED_WORKFLOWS) } : {}),
  });
  const running = worker.run();
  const nexusRunning = nexusWorker.run();
  const connection = await Connection.connect({ address });
  suite = { client: new Client({ connection }), taskQueue, nexusTaskQueue, workflowBundle };
  stop = async () => {
    worker.shutdown();
    nexusWorker.shutdown();
    await running;
    await nexusRunning;
    await nativeConnection.close();
    await connection.close();
  };
}

export async function shutdown(): Promise<void> {
  await stop?.();
}

/** A workflow id no other test (or earlier run on the same server) uses. */
export function workflowId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Visibility is eventually consistent in Temporal; poll until `check` holds or fail with what was last seen. */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  let last: T = await read();
  while (!check(last)) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: still ${JSON.stringify(last)} after 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure, defaultPayloadConverter, NexusOperationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import * as nexus from 'nexus-rpc';
import { current, eventually, workflowId } from '../env';
import { events, withAttributes } from '../history';
import { greetingService } from '../nexus-service';
import { nexusCancel, nexusHello, nexusHelloWorkflow, nexusRejected } from '../workflows';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * Creates an endpoint through the client's OperatorService, targeting the suite's Nexus worker (namespace `default`,
 * its task queue), under a name no other test uses; runs `body` with its name, and deletes the endpoint after.
 */
async function withEndpoint(prefix: string, body: (endpoint: string) => Promise<void>): Promise<void> {
  const { client, nexusTaskQueue } = current();
  const operator = client.connection.operatorService;
  const name = `ts-${prefix}-${randomUUID()}`;
  const { endpoint } = await operator.createNexusEndpoint({
    spec: { name, target: { worker: { namespace: 'default', taskQueue: nexusTaskQueue } } },
  });
  assert.ok(endpoint?.id, 'the created endpoint has an id');
  assert.equal(endpoint.spec?.name, name);
  assert.equal(endpoint.spec?.target?.worker?.taskQueue, nexusTaskQueue);
  try {
    await body(name);
  } finally {
    await operator.deleteNexusEndpoint({ id: endpoint.id, version: endpoint.version });
  }
}

function decoded(payload: temporal.api.common.v1.IPayload | null | undefined): unknown {
  assert.ok(payload, 'a payload');
  return defaultPayloadConverter.fromPayload(payload);
}

/** The one event of the history that carries `field`, asserting there is exactly one. */
function single<K extends keyof HistoryEvent>(history: HistoryEvent[], field: K): NonNullable<HistoryEvent[K]> {
  const found = withAttributes(history, field);
  assert.equal(found.length, 1, `one event with ${field}, found ${found.length}`);
  return found[0];
}

test('nexus: a synchronous operation\'s result reaches the caller workflow; history has Scheduled and Completed', async () => {
  await withEndpoint('sync', async (endpoint) => {
    const { client, taskQueue } = current();
    const handle = await client.workflow.start(nexusHello, {
      taskQueue,
      workflowId: workflowId('nexus-sync'),
      args: [endpoint, 'sync'],
    });
    assert.equal(await handle.result(), 'Hello from Nexus, sync!');

    const history = await events(handle);
    const scheduled = single(history, 'nexusOperationScheduledEventAttributes');
    assert.equal(scheduled.endpoint, endpoint);
    assert.equal(scheduled.service, greetingService.name);
    assert.equal(scheduled.operation, 'hello');
    assert.equal(decoded(scheduled.input), 'sync');
    assert.ok(scheduled.requestId, 'the scheduled event carries a request id');
    const completed = single(history, 'nexusOperationCompletedEventAttributes');
    assert.equal(decoded(completed.result), 'Hello from Nexus, sync!');
    assert.equal(completed.requestId, scheduled.requestId);
    const scheduledEvent = history.find((e) => e.nexusOperationScheduledEventAttributes != null);
    assert.equal(Number(completed.scheduledEventId), Number(scheduledEvent?.eventId));
    // A synchronous operation has no operation token: nothing was started.
    assert.equal(withAttributes(history, 'nexusOperationStartedEventAttributes').length, 0);
  });
});

test('nexus: a workflow-run operation starts the handler\'s workflow, whose result completes it; history has Scheduled, Started and Completed', async () => {
  await withEndpoint('workflow-run', async (endpoint) => {
    const { client, taskQueue, nexusTaskQueue } = current();
    const callerId = workflowId('nexus-caller');
    const handlerId = workflowId('nexus-handler');
    const handle = await client.workflow.start(nexusHelloWorkflow, {
      taskQueue,
      workflowId: callerId,
      args: [endpoint, { workflowId: handlerId, name: 'run' }],
    });
    const { token, result } = await handle.result();
    assert.equal(result, 'Hello, run!');
    assert.ok(token, 'an asynchronous operation has a token');

    // The handler's workflow ran on the Nexus worker's task queue and completed.
    const handler = client.workflow.getHandle(handlerId);
    const described = await handler.describe();
    assert.equal(described.type, 'greet');
    assert.equal(described.taskQueue, nexusTaskQueue);
    assert.equal(described.status.name, 'COMPLETED');

    const history = await events(handle);
    const scheduled = single(history, 'nexusOperationScheduledEventAttributes');
    assert.equal(scheduled.endpoint, endpoint);
    assert.equal(scheduled.operation, 'helloWorkflow');
    const started = single(history, 'nexusOperationStartedEventAttributes');
    assert.equal(started.operationToken, token);
    assert.equal(started.requestId, scheduled.requestId);
    const completed = single(history, 'nexusOperationCompletedEventAttributes');
    assert.equal(decoded(completed.result), 'Hello, run!');

    // The handler's workflow was started with the caller's completion callback, which Describe shows succeeded.
    const handlerStarted = (await events(handler))[0].workflowExecutionStartedEventAttributes;
    const callbacks = handlerStarted?.completionCallbacks ?? [];
    assert.equal(callbacks.length, 1, 'one completion callback');
    assert.ok(callbacks[0].nexus?.url, 'a Nexus completion callback with a URL');
    const { raw } = await eventually(
      () => handler.describe(),
      (d) => d.raw.callbacks?.[0]?.state === temporal.api.enums.v1.CallbackState.CALLBACK_STATE_SUCCEEDED,
      'the callback succeeds',
    );
    assert.equal(raw.callbacks?.length, 1);
  });
});

test('nexus: a non-retryable HandlerError (BAD_REQUEST) fails the caller with a NexusOperationFailure caused by it', async () => {
  await withEndpoint('handler-error', async (endpoint) => {
    const { client, taskQueue } = current();
    const handle = await client.workflow.start(nexusRejected, {
      taskQueue,
      workflowId: workflowId('nexus-rejected'),
      args: [endpoint, 'nobody'],
    });
    const err = await handle.result().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${err}`);
    const operation = err.cause;
    assert.ok(operation instanceof NexusOperationFailure, `expected a NexusOperationFailure cause, got ${operation}`);
    assert.equal(operation.endpoint, endpoint);
    assert.equal(operation.service, greetingService.name);
    assert.equal(operation.operation, 'reject');
    const handlerError = operation.cause;
    assert.ok(handlerError instanceof nexus.HandlerError, `expected a HandlerError cause, got ${handlerError}`);
    assert.equal(handlerError.type, 'BAD_REQUEST');
    assert.equal(handlerError.retryable, false);
    assert.match(handlerError.message, /no greeting for nobody/);

    const history = await events(handle);
    single(history, 'nexusOperationScheduledEventAttributes');
    single(history, 'nexusOperationFailedEventAttributes');
    assert.equal(withAttributes(history, 'nexusOperationStartedEventAttributes').length, 0);
    assert.equal((await handle.describe()).status.name, 'FAILED');
  });
});

test('nexus: canceling a workflow-run operation\'s scope cancels the handler\'s workflow and the caller sees a cancellation', async () => {
  await withEndpoint('cancel', async (endpoint) => {
    const { client, taskQueue } = current();
    const handlerId = workflowId('nexus-wait');
    const handle = await client.workflow.start(nexusCancel, {
      taskQueue,
      workflowId: workflowId('nexus-cancel'),
      args: [endpoint, { workflowId: handlerId, name: 'cancel' }],
    });
    const outcome = await handle.result();
    assert.ok(outcome.token, 'the operation had started');
    assert.equal(outcome.error, NexusOperationFailure.name);
    assert.equal(outcome.cancellation, true);
    assert.equal(outcome.cause, CancelledFailure.name);

    // The default cancellation type waits for the operation to end, so the handler's workflow has ended canceled.
    assert.equal((await client.workflow.getHandle(handlerId).describe()).status.name, 'CANCELLED');

    const history = await events(handle);
    single(history, 'nexusOperationStartedEventAttributes');
    single(history, 'nexusOperationCancelRequestedEventAttributes');
    single(history, 'nexusOperationCanceledEventAttributes');
    assert.equal(withAttributes(history, 'nexusOperationCompletedEventAttributes').length, 0);
  });
});

// The links between the two histories, as Temporal 1.28 records them: the handler's start request carries the link to
// the caller's NexusOperationScheduled event (`eventType=NexusOperationScheduled`, the only form the SDK's link
// converter reads), and the SDK's startWorkflow takes the link to the handler's workflow from
// StartWorkflowExecutionResponse's `link`.
test('nexus: the handler\'s workflow starts with a link to the caller\'s NexusOperationScheduled event', async () => {
  await withEndpoint('scheduled-link', async (endpoint) => {
    const { client, taskQueue } = current();
    const callerId = workflowId('nexus-link-caller');
    const handlerId = workflowId('nexus-linked');
    const handle = await client.workflow.start(nexusHelloWorkflow, {
      taskQueue,
      workflowId: callerId,
      args: [endpoint, { workflowId: handlerId, name: 'link' }],
    });
    assert.equal((await handle.result()).result, 'Hello, link!');
    const scheduled = (await events(handle)).find((e) => e.nexusOperationScheduledEventAttributes != null);
    const handlerStarted = (await events(client.workflow.getHandle(handlerId)))[0];
    const toCaller = (handlerStarted.links ?? []).map((l) => l.workflowEvent).filter((w) => w != null);
    assert.ok(
      toCaller.some(
        (w) =>
          w.namespace === 'default' &&
          w.workflowId === callerId &&
          w.runId === handle.firstExecutionRunId &&
          Number(w.eventRef?.eventId) === Number(scheduled?.eventId) &&
          w.eventRef?.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
      ),
      `the handler's WorkflowExecutionStarted links to the caller's Scheduled event: ${JSON.stringify(handlerStarted.links)}`,
    );
  });
});

test('nexus: the caller\'s NexusOperationStarted links to the workflow the handler started', async () => {
  await withEndpoint('started-link', async (endpoint) => {
    const { client, taskQueue } = current();
    const handlerId = workflowId('nexus-linked');
    const handle = await client.workflow.start(nexusHelloWorkflow, {
      taskQueue,
      workflowId: workflowId('nexus-link-caller'),
      args: [endpoint, { workflowId: handlerId, name: 'link' }],
    });
    assert.equal((await handle.result()).result, 'Hello, link!');
    const { runId } = await client.workflow.getHandle(handlerId).describe();
    const startedEvent = (await events(handle)).find((e) => e.nexusOperationStartedEventAttributes != null);
    const toHandler = (startedEvent?.links ?? []).map((l) => l.workflowEvent).filter((w) => w != null);
    assert.ok(
      toHandler.some(
        (w) =>
          w.namespace === 'default' &&
          w.workflowId === handlerId &&
          w.runId === runId &&
          Number(w.eventRef?.eventId) === 1 &&
          w.eventRef?.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
      ),
      `the Started event links to the handler's workflow: ${JSON.stringify(startedEvent?.links)}`,
    );
  });
});

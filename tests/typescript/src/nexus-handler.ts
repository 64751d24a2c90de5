// The handler of greetingService, registered on the suite's Nexus worker (env.ts) through its `nexusServices` option.
import * as nexus from 'nexus-rpc';
import { startWorkflow, WorkflowRunOperationHandler } from '@temporalio/nexus';
import { greetingService } from './nexus-service';
import { greet, waitForever } from './workflows';

export const greetingHandler = nexus.serviceHandler(greetingService, {
  hello: async (_ctx, name) => `Hello from Nexus, ${name}!`,
  // startWorkflow defaults the task queue to the Nexus worker's own, and attaches the request id, the caller's links
  // and the completion callback the server sent.
  helloWorkflow: new WorkflowRunOperationHandler(async (ctx, input) =>
    startWorkflow(ctx, greet, { workflowId: input.workflowId, args: [input.name] }),
  ),
  waitWorkflow: new WorkflowRunOperationHandler(async (ctx, input) =>
    startWorkflow(ctx, waitForever, { workflowId: input.workflowId }),
  ),
  reject: async (_ctx, name) => {
    throw new nexus.HandlerError('BAD_REQUEST', `no greeting for ${name}`);
  },
});

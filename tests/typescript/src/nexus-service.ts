// The Nexus service the suite's caller workflows call (the definition only: the workflow bundle imports it, and the
// handler in nexus-handler.ts implements it on the Nexus worker).
import * as nexus from 'nexus-rpc';

/** What the workflow-run operations take: the handler workflow's id (so that a test can find it) and a name. */
export interface WorkflowInput {
  workflowId: string;
  name: string;
}

export const greetingService = nexus.service('TsSuiteGreeting', {
  /** Synchronous: the handler answers with the result in the start response. */
  hello: nexus.operation<string, string>(),
  /** Asynchronous: the handler starts the `greet` workflow, whose close completes the operation. */
  helloWorkflow: nexus.operation<WorkflowInput, string>(),
  /** Asynchronous: starts `waitForever`, which ends only when canceled. */
  waitWorkflow: nexus.operation<WorkflowInput, void>(),
  /** Throws a non-retryable handler error (BAD_REQUEST). */
  reject: nexus.operation<string, string>(),
});

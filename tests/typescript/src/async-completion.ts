// Hands the task token of an asynchronously completed activity to the test that waits for it. The worker runs
// activities in the test's own process, so a map is enough.
const waiters = new Map<string, (taskToken: Uint8Array) => void>();

/** Resolves with the task token of the `completeLater` activity that the given workflow runs. */
export function taskTokenOf(workflowId: string): Promise<Uint8Array> {
  return new Promise((resolve) => waiters.set(workflowId, resolve));
}

export function handOver(workflowId: string, taskToken: Uint8Array): void {
  waiters.get(workflowId)?.(taskToken);
  waiters.delete(workflowId);
}

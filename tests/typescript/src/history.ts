import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The run's history events, read through the SDK (GetWorkflowExecutionHistory). */
export async function events(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

/** The events that carry the given attributes field, e.g. 'timerFiredEventAttributes'. */
export function withAttributes<K extends keyof HistoryEvent>(
  all: HistoryEvent[],
  field: K,
): NonNullable<HistoryEvent[K]>[] {
  return all.filter((e) => e[field] != null).map((e) => e[field] as NonNullable<HistoryEvent[K]>);
}

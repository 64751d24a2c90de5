using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Queues;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History;

/// <summary>
/// ResetWorkflowExecution: a new run whose history is the base run's history up to a workflow task's Started event,
/// then WorkflowTaskFailed (cause RESET_WORKFLOW, naming both runs), the base run's later signals reapplied, and a new
/// workflow task. The base run, if still open, is terminated in the same transaction.
/// </summary>
public sealed partial class HistoryEngine
{
    public async Task<ResetWorkflowExecutionResponse> ResetWorkflowExecutionAsync(NamespaceRecord ns, ResetWorkflowExecutionRequest r, CancellationToken ct)
    {
        var key = await ResolveAsync(ns.Id, r.WorkflowExecution, null, ct);
        var current = await store.GetCurrentExecutionAsync(ns.Id, key.WorkflowId, ct);
        if (current?.RunId != key.RunId)
        {
            throw new InvalidArgumentException("Only the current run of a workflow can be reset by this server.");
        }
        var nextEventId = await ReadAsync(key, (s, _) => s.NextEventId, ct);
        var baseEvents = await ReadEventsAsync(key, 1, nextEventId, ct);
        var finish = baseEvents.Find(e => e.EventId == r.WorkflowTaskFinishEventId)
            ?? throw new InvalidArgumentException($"Event {r.WorkflowTaskFinishEventId} does not exist in the base run.");
        var resetStartedId = finish.EventType switch
        {
            EventType.WorkflowTaskCompleted => finish.WorkflowTaskCompletedEventAttributes.StartedEventId,
            EventType.WorkflowTaskFailed => finish.WorkflowTaskFailedEventAttributes.StartedEventId,
            EventType.WorkflowTaskTimedOut => finish.WorkflowTaskTimedOutEventAttributes.StartedEventId,
            EventType.WorkflowTaskStarted => finish.EventId,
            _ => 0L,
        };
        if (resetStartedId <= 0)
        {
            throw new InvalidArgumentException("WorkflowTaskFinishEventId must name a started workflow task's Completed, Failed, TimedOut or Started event.");
        }
        var prefix = baseEvents.TakeWhile(e => e.EventId <= resetStartedId).ToList();
        var reapply = r.ResetReapplyType == ResetReapplyType.None
            ? []
            : baseEvents.Where(e => e.EventId > resetStartedId && e.EventType == EventType.WorkflowExecutionSignaled).ToList();
        var newRunId = Guid.NewGuid().ToString();
        await UpdateAsync(key, t =>
        {
            if (t.State.NextEventId != nextEventId)
            {
                throw new UnavailableException("The workflow changed while it was being reset; retry.");
            }
            t.StartResetRun(newRunId, string.IsNullOrEmpty(r.RequestId) ? Guid.NewGuid().ToString() : r.RequestId, prefix, reapply, r.Reason);
            if (t.State.IsOpen)
            {
                t.Terminate(string.IsNullOrEmpty(r.Reason) ? "reset" : r.Reason, null, "history-service", successor: true);
            }
            else
            {
                t.MarkChanged();
            }
            return 0;
        }, ct);
        return new ResetWorkflowExecutionResponse { RunId = newRunId };
    }
}

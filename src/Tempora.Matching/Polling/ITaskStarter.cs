using Tempora.Core;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Matching.Polling;

/// <summary>
/// History's side of a poll, as matching sees it: records a task matching handed out as started on its run and builds
/// the poll's answer. A stale task (its run moved on) is dropped by history and answered null.
/// </summary>
public interface ITaskStarter
{
    Task<PollWorkflowTaskQueueResponse?> RecordWorkflowTaskStartedAsync(NamespaceRecord ns, MatchingTask task,
        PollWorkflowTaskQueueRequest poll, CancellationToken ct);

    Task<PollActivityTaskQueueResponse?> RecordActivityTaskStartedAsync(NamespaceRecord ns, MatchingTask task,
        PollActivityTaskQueueRequest poll, CancellationToken ct);

    /// <summary>Moves a workflow task off a sticky queue to the run's normal queue (its worker cannot take it).</summary>
    Task RedispatchFromStickyQueueAsync(MatchingTask task, CancellationToken ct);
}

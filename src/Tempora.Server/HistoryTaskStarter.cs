using Tempora.Core;
using Tempora.History;
using Tempora.Matching.Polling;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Server;

/// <summary>Matching's poll loop records the tasks it hands out as started through history.</summary>
internal sealed class HistoryTaskStarter(HistoryEngine history) : ITaskStarter
{
    public Task<PollWorkflowTaskQueueResponse?> RecordWorkflowTaskStartedAsync(NamespaceRecord ns, MatchingTask task,
        PollWorkflowTaskQueueRequest poll, CancellationToken ct) =>
        history.RecordWorkflowTaskStartedAsync(ns, task, poll, ct);

    public Task<PollActivityTaskQueueResponse?> RecordActivityTaskStartedAsync(NamespaceRecord ns, MatchingTask task,
        PollActivityTaskQueueRequest poll, CancellationToken ct) =>
        history.RecordActivityTaskStartedAsync(ns, task, poll, ct);

    public Task RedispatchFromStickyQueueAsync(MatchingTask task, CancellationToken ct) => history.RedispatchFromStickyQueueAsync(task, ct);
}

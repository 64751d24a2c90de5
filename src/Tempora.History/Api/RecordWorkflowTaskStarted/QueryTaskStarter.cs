using Google.Protobuf;
using Tempora.Core;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>The poll response for a query task a worker took; null when another poller claimed it or it was answered.</summary>
internal sealed class QueryTaskStarter(WorkflowUpdater updater, HistoryReader history)
{
    public async Task<PollWorkflowTaskQueueResponse?> StartAsync(NamespaceRecord ns, MatchingTask task, PollWorkflowTaskQueueRequest poll,
        CancellationToken ct)
    {
        var query = task.Query!;
        if (query.Answer.Task.IsCompleted || query.IsClaimed)
        {
            return null;
        }
        var key = new WorkflowKey(ns.Id, task.WorkflowId, task.RunId);
        var (workflowType, taskQueue, previousStarted, misrouted) = await updater.ReadAsync(key,
            (s, _) => (s.WorkflowType, s.TaskQueue, s.LastCompletedWorkflowTaskStartedEventId, TaskVersionCheck.Misrouted(s, poll.DeploymentOptions)), ct);
        if (misrouted is not null)
        {
            // A pinned run is queried on its own version's workers only; the query stays unclaimed for them.
            throw new Tempora.Core.Versioning.TaskMisroutedException(misrouted);
        }
        if (!query.TryClaim())
        {
            return null;
        }
        var events = new Temporalio.Api.History.V1.History();
        if (task.Queue.Name == taskQueue)
        {
            // The normal queue may reach any worker: send full history. A sticky worker has the run cached.
            events.Events.AddRange(await history.ReadEventsAsync(key, 1, query.HistoryEndExclusive, ct));
        }
        return new PollWorkflowTaskQueueResponse
        {
            TaskToken = ByteString.CopyFrom(new TaskToken(ns.Id, key.WorkflowId, key.RunId, 0, 1, 0, 0, "", query.Id).Serialize()),
            WorkflowExecution = new WorkflowExecution { WorkflowId = key.WorkflowId, RunId = key.RunId },
            WorkflowType = new WorkflowType { Name = workflowType },
            PreviousStartedEventId = previousStarted,
            Attempt = 1,
            History = events,
            Query = query.Query,
            WorkflowExecutionTaskQueue = new TaskQueue { Name = taskQueue, Kind = TaskQueueKind.Normal },
        };
    }
}

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>The poll response of a started workflow task: from a poll, or inline with the completion that asked for it.</summary>
internal sealed class WorkflowTaskResponses(HistoryReader history)
{
    /// <summary>What the response for a just-started workflow task needs, read inside its transition.</summary>
    public static StartedWorkflowTask Started(Transition t, ExecutionContext ctx, WorkflowTaskInfo wft, bool partialHistory,
        ICollection<string>? answeredQueries, IReadOnlySet<string>? answeredUpdates)
    {
        var s = t.State;
        var from = partialHistory ? s.LastCompletedWorkflowTaskStartedEventId + 1 : 1;
        var to = wft.IsVirtual ? s.NextEventId : wft.StartedEventId + 1;
        return new StartedWorkflowTask(t.Key, s.WorkflowType, s.TaskQueue, s.LastCompletedWorkflowTaskStartedEventId,
            wft.ScheduledEventId, wft.StartedEventId, wft.Attempt, wft.ScheduledTime, wft.StartedTime!.Value, from, to,
            t.TransientWorkflowTaskEvents(), UpdateMessages.For(ctx, wft.StartedEventId, answeredUpdates),
            ctx.Queries.Where(q => answeredQueries?.Contains(q.Key) != true).ToDictionary(q => q.Key, q => q.Value.Query, StringComparer.Ordinal));
    }

    /// <summary>
    /// What the response for a run's first task needs when it was started for the starter itself (eager workflow
    /// start): the run is new, so full history, and no update or query can be waiting for it yet.
    /// </summary>
    public static StartedWorkflowTask FirstStarted(MutableState s, WorkflowTaskInfo wft) =>
        new(new WorkflowKey(s.NamespaceId, s.WorkflowId, s.RunId), s.WorkflowType, s.TaskQueue, s.LastCompletedWorkflowTaskStartedEventId,
            wft.ScheduledEventId, wft.StartedEventId, wft.Attempt, wft.ScheduledTime, wft.StartedTime!.Value, 1, wft.StartedEventId + 1,
            [], [], new Dictionary<string, Temporalio.Api.Query.V1.WorkflowQuery>(StringComparer.Ordinal));

    /// <summary>The poll response for a started workflow task (also returned inline by a completion that asked for it).</summary>
    public async Task<PollWorkflowTaskQueueResponse> ResponseAsync(NamespaceRecord ns, StartedWorkflowTask started, CancellationToken ct)
    {
        var key = started.Key;
        var events = new Temporalio.Api.History.V1.History();
        events.Events.AddRange(await history.ReadEventsAsync(key, started.HistoryFrom, started.HistoryToExclusive, ct));
        events.Events.AddRange(started.TransientEvents);
        return new PollWorkflowTaskQueueResponse
        {
            TaskToken = ByteString.CopyFrom(new TaskToken(ns.Id, key.WorkflowId, key.RunId, started.ScheduledEventId, started.Attempt,
                started.StartedEventId, started.StartedTime.UtcTicks, "").Serialize()),
            WorkflowExecution = new WorkflowExecution { WorkflowId = key.WorkflowId, RunId = key.RunId },
            WorkflowType = new WorkflowType { Name = started.WorkflowType },
            PreviousStartedEventId = started.PreviousStartedEventId,
            StartedEventId = started.StartedEventId,
            Attempt = started.Attempt,
            History = events,
            WorkflowExecutionTaskQueue = new TaskQueue { Name = started.TaskQueue, Kind = TaskQueueKind.Normal },
            ScheduledTime = Timestamp.FromDateTimeOffset(started.ScheduledTime),
            StartedTime = Timestamp.FromDateTimeOffset(started.StartedTime),
            Messages = { started.Messages },
            Queries = { started.Queries }, // buffered queries ride with the task (upstream's recordworkflowtaskstarted)
        };
    }
}

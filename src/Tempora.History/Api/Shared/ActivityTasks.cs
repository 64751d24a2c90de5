using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>What the activity RPCs share: the task a worker gets, and the activity a task token names.</summary>
internal static class ActivityTasks
{
    /// <summary>What a worker gets for a started activity attempt: from a poll, or eagerly with a workflow task completion.</summary>
    public static PollActivityTaskQueueResponse Response(NamespaceRecord ns, WorkflowKey key, MutableState s, ActivityInfo a) => new()
    {
        TaskToken = ByteString.CopyFrom(new TaskToken(ns.Id, key.WorkflowId, key.RunId, a.ScheduledEventId, a.Attempt, 0,
            a.StartedTime!.Value.UtcTicks, a.ActivityId).Serialize()),
        WorkflowNamespace = ns.Name,
        WorkflowType = new WorkflowType { Name = s.WorkflowType },
        WorkflowExecution = new WorkflowExecution { WorkflowId = key.WorkflowId, RunId = key.RunId },
        ActivityType = new ActivityType { Name = a.ActivityType },
        ActivityId = a.ActivityId,
        Header = a.Header,
        Input = a.Input,
        PropagatedNexusSerializationContext = s.NexusSerializationContext,
        HeartbeatDetails = a.HeartbeatDetails,
        ScheduledTime = Timestamp.FromDateTimeOffset(a.ScheduledTime),
        CurrentAttemptScheduledTime = Timestamp.FromDateTimeOffset(a.CurrentAttemptScheduledTime),
        StartedTime = Timestamp.FromDateTimeOffset(a.StartedTime!.Value),
        Attempt = a.Attempt,
        ScheduleToCloseTimeout = Duration.FromTimeSpan(a.ScheduleToCloseTimeout),
        StartToCloseTimeout = Duration.FromTimeSpan(a.StartToCloseTimeout),
        HeartbeatTimeout = Duration.FromTimeSpan(a.HeartbeatTimeout),
        RetryPolicy = a.RetryPolicy,
        Priority = a.Priority,
    };

    /// <summary>The started attempt a task token names; NotFound when the run closed or the attempt is over.</summary>
    public static ActivityInfo ForToken(MutableState s, TaskToken token)
    {
        if (!s.IsOpen)
        {
            throw new EntityNotFoundException(ErrorMessages.AlreadyCompleted);
        }
        if (!s.Activities.TryGetValue(token.ScheduledEventId, out var a) || a.Attempt != token.Attempt || !a.IsStarted
            || a.StartedTime!.Value.UtcTicks != token.StartedTimeTicks)
        {
            throw new EntityNotFoundException(ErrorMessages.ActivityNotFound);
        }
        return a;
    }
}

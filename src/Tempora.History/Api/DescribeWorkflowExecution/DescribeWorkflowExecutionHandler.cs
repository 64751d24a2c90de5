using Google.Protobuf.WellKnownTypes;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class DescribeWorkflowExecutionHandler(RunResolver runs, WorkflowUpdater updater)
{
    public async Task<DescribeWorkflowExecutionResponse> HandleAsync(
        NamespaceRecord ns, DescribeWorkflowExecutionRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, r.Execution, null, ct);
        return await updater.ReadAsync(key, (s, _) =>
        {
            var info = new WorkflowExecutionInfo
            {
                Execution = new WorkflowExecution { WorkflowId = s.WorkflowId, RunId = s.RunId },
                Type = new WorkflowType { Name = s.WorkflowType },
                StartTime = Timestamp.FromDateTimeOffset(s.StartTime),
                ExecutionTime = Timestamp.FromDateTimeOffset(s.ExecutionTime),
                CloseTime = s.CloseTime is { } close ? Timestamp.FromDateTimeOffset(close) : null,
                Status = s.Status,
                HistoryLength = s.NextEventId - 1,
                Memo = s.Memo ?? new Memo(),
                SearchAttributes = s.SearchAttributes ?? new SearchAttributes(),
                TaskQueue = s.TaskQueue,
                StateTransitionCount = s.StateTransitionCount,
                HistorySizeBytes = s.HistorySizeBytes,
                FirstRunId = s.FirstExecutionRunId,
                ExecutionDuration = s.CloseTime is { } c ? Duration.FromTimeSpan(c - s.ExecutionTime) : null,
                VersioningInfo = RunVersioning.Describe(s),
                WorkerDeploymentName = s.WorkerDeploymentName,
                AutoResetPoints = s.AutoResetPoints,
            };
            var response = new DescribeWorkflowExecutionResponse
            {
                ExecutionConfig = new WorkflowExecutionConfig
                {
                    TaskQueue = new TaskQueue { Name = s.TaskQueue, Kind = TaskQueueKind.Normal },
                    // Unset when the run has none, as Temporal answers (the TypeScript SDK reads a zero Duration as a timeout).
                    WorkflowExecutionTimeout = s.ExecutionTimeout is { } execution && execution > TimeSpan.Zero ? Duration.FromTimeSpan(execution) : null,
                    WorkflowRunTimeout = s.RunTimeout is { } run && run > TimeSpan.Zero ? Duration.FromTimeSpan(run) : null,
                    DefaultWorkflowTaskTimeout = Duration.FromTimeSpan(s.WorkflowTaskTimeout),
                    UserMetadata = s.UserMetadata,
                },
                WorkflowExecutionInfo = info,
                WorkflowExtendedInfo = new WorkflowExecutionExtendedInfo
                {
                    // What Temporal 1.28 fills but the request id infos (Tempora keeps no event ids for attached requests).
                    CancelRequested = s.CancelRequested,
                    ExecutionExpirationTime = s.ExecutionExpirationTime is { } expiration ? Timestamp.FromDateTimeOffset(expiration) : null,
                    RunExpirationTime = s.RunTimeout is { } runTimeout && runTimeout > TimeSpan.Zero ? Timestamp.FromDateTimeOffset(s.StartTime + runTimeout) : null,
                    OriginalStartTime = Timestamp.FromDateTimeOffset(s.StartTime),
                    ResetRunId = s.ResetRunId ?? "",
                    PropagatedNexusSerializationContext = s.NexusSerializationContext,
                },
            };
            foreach (var a in s.Activities.Values.OrderBy(a => a.ScheduledEventId))
            {
                response.PendingActivities.Add(new PendingActivityInfo
                {
                    ActivityId = a.ActivityId,
                    ActivityType = new ActivityType { Name = a.ActivityType },
                    State = PendingActivityStates.Of(a),
                    Paused = a.Paused,
                    PauseInfo = PendingActivityStates.PauseInfoOf(a),
                    ActivityOptions = Transition.OptionsOf(a),
                    HeartbeatDetails = a.HeartbeatDetails,
                    LastHeartbeatTime = a.LastHeartbeatTime is { } hb ? Timestamp.FromDateTimeOffset(hb) : null,
                    LastStartedTime = a.StartedTime is { } st ? Timestamp.FromDateTimeOffset(st) : null,
                    Attempt = a.Attempt,
                    MaximumAttempts = a.RetryPolicy.MaximumAttempts,
                    ScheduledTime = Timestamp.FromDateTimeOffset(a.CurrentAttemptScheduledTime),
                    ExpirationTime = a.ScheduleToCloseTimeout > TimeSpan.Zero ? Timestamp.FromDateTimeOffset(a.ScheduledTime + a.ScheduleToCloseTimeout) : null,
                    LastFailure = a.LastFailure,
                    LastWorkerIdentity = a.LastWorkerIdentity,
                    LastAttemptCompleteTime = a.LastAttemptCompleteTime is { } ended ? Timestamp.FromDateTimeOffset(ended) : null,
                    NextAttemptScheduleTime = !a.IsStarted && a.TaskId == 0 && !a.Paused ? Timestamp.FromDateTimeOffset(a.CurrentAttemptScheduledTime) : null,
                });
            }
            foreach (var child in s.Children.Values.OrderBy(c => c.InitiatedEventId))
            {
                response.PendingChildren.Add(new PendingChildExecutionInfo
                {
                    WorkflowId = child.Initiated.WorkflowId,
                    RunId = child.RunId,
                    WorkflowTypeName = child.Initiated.WorkflowType.Name,
                    InitiatedId = child.InitiatedEventId,
                    ParentClosePolicy = child.Initiated.ParentClosePolicy,
                });
            }
            response.PendingNexusOperations.AddRange(PendingNexusOperations.Of(s));
            response.Callbacks.AddRange(PendingNexusOperations.CallbacksOf(s));
            if (s.Parent is { } parent)
            {
                info.ParentNamespaceId = parent.NamespaceId;
                info.ParentExecution = new WorkflowExecution { WorkflowId = parent.WorkflowId, RunId = parent.RunId };
            }
            info.RootExecution = s.Root;
            if (s.WorkflowTask is { } wft)
            {
                response.PendingWorkflowTask = new PendingWorkflowTaskInfo
                {
                    State = wft.IsStarted ? PendingWorkflowTaskState.Started : PendingWorkflowTaskState.Scheduled,
                    ScheduledTime = Timestamp.FromDateTimeOffset(wft.ScheduledTime),
                    OriginalScheduledTime = Timestamp.FromDateTimeOffset(wft.ScheduledTime),
                    StartedTime = wft.StartedTime is { } ws ? Timestamp.FromDateTimeOffset(ws) : null,
                    Attempt = wft.Attempt,
                };
            }
            return response;
        }, ct);
    }
}

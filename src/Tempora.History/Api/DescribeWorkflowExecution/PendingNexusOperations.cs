using Google.Protobuf.WellKnownTypes;
using Tempora.History.Execution;
using Tempora.History.Nexus;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.History.Api;

/// <summary>What DescribeWorkflowExecution shows of a run's Nexus operations and of its completion callbacks.</summary>
internal static class PendingNexusOperations
{
    public static IEnumerable<PendingNexusOperationInfo> Of(MutableState s) =>
        s.NexusOperations.Values.OrderBy(op => op.ScheduledEventId).Select(op => new PendingNexusOperationInfo
        {
            Endpoint = op.Endpoint,
            Service = op.Service,
            Operation = op.Operation,
            OperationId = op.OperationToken,
            OperationToken = op.OperationToken,
            ScheduleToCloseTimeout = op.ScheduleToCloseTimeout > TimeSpan.Zero ? Duration.FromTimeSpan(op.ScheduleToCloseTimeout) : null,
            ScheduleToStartTimeout = op.ScheduleToStartTimeout > TimeSpan.Zero ? Duration.FromTimeSpan(op.ScheduleToStartTimeout) : null,
            StartToCloseTimeout = op.StartToCloseTimeout > TimeSpan.Zero ? Duration.FromTimeSpan(op.StartToCloseTimeout) : null,
            ScheduledTime = Timestamp.FromDateTimeOffset(op.ScheduledTime),
            State = op.State switch
            {
                NexusOperationState.BackingOff => PendingNexusOperationState.BackingOff,
                NexusOperationState.Started => PendingNexusOperationState.Started,
                _ => PendingNexusOperationState.Scheduled,
            },
            Attempt = op.Attempt,
            LastAttemptCompleteTime = op.LastAttemptCompleteTime is { } last ? Timestamp.FromDateTimeOffset(last) : null,
            LastAttemptFailure = op.LastAttemptFailure,
            NextAttemptScheduleTime = op.NextAttemptScheduleTime is { } next ? Timestamp.FromDateTimeOffset(next) : null,
            ScheduledEventId = op.ScheduledEventId,
            CancellationInfo = op.Cancellation is { } c ? Cancellation(c) : null,
        });

    private static NexusOperationCancellationInfo Cancellation(NexusCancellationInfo c) => new()
    {
        RequestedTime = Timestamp.FromDateTimeOffset(c.RequestedTime),
        State = c.State switch
        {
            NexusCancellationState.Scheduled => NexusOperationCancellationState.Scheduled,
            NexusCancellationState.BackingOff => NexusOperationCancellationState.BackingOff,
            NexusCancellationState.Succeeded => NexusOperationCancellationState.Succeeded,
            NexusCancellationState.Failed => NexusOperationCancellationState.Failed,
            _ => NexusOperationCancellationState.Unspecified,
        },
        Attempt = c.Attempt,
        LastAttemptCompleteTime = c.LastAttemptCompleteTime is { } last ? Timestamp.FromDateTimeOffset(last) : null,
        LastAttemptFailure = c.LastAttemptFailure,
        NextAttemptScheduleTime = c.NextAttemptScheduleTime is { } next ? Timestamp.FromDateTimeOffset(next) : null,
    };

    /// <summary>
    /// The run's completion callbacks: standing until the run closes; once closed, the report to the caller is a
    /// durable task that is delivered (shown as succeeded, as Temporal's callbacks end up).
    /// </summary>
    public static IEnumerable<CallbackInfo> CallbacksOf(MutableState s) => s.CompletionCallbacks.Select(callback => new CallbackInfo
    {
        Callback = callback,
        Trigger = new CallbackInfo.Types.Trigger { WorkflowClosed = new CallbackInfo.Types.WorkflowClosed() },
        RegistrationTime = Timestamp.FromDateTimeOffset(s.StartTime),
        State = s.IsOpen ? CallbackState.Standby : CallbackState.Succeeded,
        Attempt = s.IsOpen ? 0 : 1,
    });
}

using Temporalio.Api.Common.V1;

namespace Tempora.History.Execution;

/// <summary>Where a pending Nexus operation is (Temporal's NexusOperationState, without the terminal states: a
/// finished operation leaves the state).</summary>
internal enum NexusOperationState
{
    /// <summary>A start request is due or on its way to the handler.</summary>
    Scheduled = 1,

    /// <summary>The last start request failed retryably; the next one is due at <see cref="NexusOperationInfo.NextAttemptScheduleTime"/>.</summary>
    BackingOff = 2,

    /// <summary>The handler answered with an operation token: the result comes later, by its completion callback.</summary>
    Started = 3,
}

/// <summary>Where a cancellation of a started operation is (Temporal's NexusOperationCancellationState).</summary>
internal enum NexusCancellationState
{
    /// <summary>Requested by the workflow while the operation had not started: sent once it starts.</summary>
    Pending = 0,
    Scheduled = 1,
    BackingOff = 2,
    Succeeded = 3,
    Failed = 4,
}

/// <summary>
/// A Nexus operation the workflow scheduled and that has not finished. What its NexusOperationScheduled, Started and
/// CancelRequested events say is set by <see cref="EventApplier"/>; the attempts of its start and cancel requests are
/// bookkeeping no event records, as in Temporal.
/// </summary>
internal sealed class NexusOperationInfo
{
    public long ScheduledEventId { get; set; }
    public string Endpoint { get; set; } = "";
    public string EndpointId { get; set; } = "";
    public string Service { get; set; } = "";
    public string Operation { get; set; } = "";
    public Payload? Input { get; set; }
    public Dictionary<string, string> Header { get; set; } = [];
    public TimeSpan ScheduleToCloseTimeout { get; set; }

    /// <summary>How long it may take to start (asynchronously) or finish (synchronously); zero: no limit.</summary>
    public TimeSpan ScheduleToStartTimeout { get; set; }

    /// <summary>How long a started (asynchronous) operation may take to finish; zero: no limit.</summary>
    public TimeSpan StartToCloseTimeout { get; set; }
    public DateTimeOffset ScheduledTime { get; set; }

    /// <summary>The id of every start request of this operation: the handler deduplicates retried starts by it.</summary>
    public string RequestId { get; set; } = "";

    public long StartedEventId { get; set; }
    public string OperationToken { get; set; } = "";
    public long CancelRequestedEventId { get; set; }

    public NexusOperationState State { get; set; } = NexusOperationState.Scheduled;
    public int Attempt { get; set; } = 1;
    public DateTimeOffset? LastAttemptCompleteTime { get; set; }
    public Temporalio.Api.Failure.V1.Failure? LastAttemptFailure { get; set; }
    public DateTimeOffset? NextAttemptScheduleTime { get; set; }

    public long TimeoutTimerTaskId { get; set; }
    public long ScheduleToStartTimerTaskId { get; set; }
    public long StartToCloseTimerTaskId { get; set; }
    public long RetryTimerTaskId { get; set; }

    public NexusCancellationInfo? Cancellation { get; set; }

    public bool IsStarted => State == NexusOperationState.Started;
}

/// <summary>The cancel requests sent for a started Nexus operation (PendingNexusOperationInfo.cancellation_info).</summary>
internal sealed class NexusCancellationInfo
{
    public DateTimeOffset RequestedTime { get; set; }
    public NexusCancellationState State { get; set; }
    public int Attempt { get; set; }
    public DateTimeOffset? LastAttemptCompleteTime { get; set; }
    public Temporalio.Api.Failure.V1.Failure? LastAttemptFailure { get; set; }
    public DateTimeOffset? NextAttemptScheduleTime { get; set; }
    public long RetryTimerTaskId { get; set; }
}

using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.History.Execution;

/// <summary>
/// The state of one run that history needs to decide what happens next. It is persisted as one blob with the
/// execution row and changes only inside a <see cref="Transition"/>. Three kinds of members:
/// <list type="bullet">
/// <item>identity, fixed when the run is created (namespace, ids, start request, start time);</item>
/// <item>what the run's history says: set only by <see cref="EventApplier"/>, so replaying the stored events gives
/// them back (<see cref="MutableStateRebuilder"/>, checked by <see cref="RebuildCheck"/>);</item>
/// <item>bookkeeping no event records, as in Temporal: attempts of activities and workflow tasks in flight,
/// heartbeats, stickiness, and the ids of the tasks and timers armed for them.</item>
/// </list>
/// </summary>
internal sealed class MutableState
{
    public string NamespaceId { get; set; } = "";
    public string WorkflowId { get; set; } = "";
    public string RunId { get; set; } = "";

    /// <summary>A new run with only its identity set; applying its WorkflowExecutionStarted event fills in the rest.</summary>
    public static MutableState ForNewRun(string namespaceId, string workflowId, string runId, string requestId, DateTimeOffset startTime) => new()
    {
        NamespaceId = namespaceId,
        WorkflowId = workflowId,
        RunId = runId,
        StartRequestId = requestId,
        StartTime = startTime,
    };

    public string FirstExecutionRunId { get; set; } = "";
    public string WorkflowType { get; set; } = "";
    public string TaskQueue { get; set; } = "";
    public string StartRequestId { get; set; } = "";
    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset ExecutionTime { get; set; }
    public DateTimeOffset? CloseTime { get; set; }
    public WorkflowExecutionStatus Status { get; set; } = WorkflowExecutionStatus.Running;
    public long NextEventId { get; set; } = 1;

    /// <summary>WorkflowTaskStarted id of the last completed workflow task (previous_started_event_id).</summary>
    public long LastCompletedWorkflowTaskStartedEventId { get; set; }

    public TimeSpan? ExecutionTimeout { get; set; }
    public TimeSpan? RunTimeout { get; set; }
    public TimeSpan WorkflowTaskTimeout { get; set; }
    public DateTimeOffset? ExecutionExpirationTime { get; set; }
    public Memo? Memo { get; set; }
    public SearchAttributes? SearchAttributes { get; set; }
    public Priority? Priority { get; set; }

    /// <summary>The start request's static summary and details (Describe returns them in execution_config).</summary>
    public Temporalio.Api.Sdk.V1.UserMetadata? UserMetadata { get; set; }

    /// <summary>Sticky queue of the worker that has this run cached; null when not sticky.</summary>
    public string? StickyQueue { get; set; }
    public TimeSpan StickyScheduleToStartTimeout { get; set; }

    public bool CancelRequested { get; set; }
    public long HistorySizeBytes { get; set; }
    public long StateTransitionCount { get; set; }

    /// <summary>The run that replaced this one by a reset: a child's close reported here is passed on to it.</summary>
    public string? ResetRunId { get; set; }

    /// <summary>Attempt of the next or current workflow task; above 1 the task is transient (§3.4).</summary>
    public int WorkflowTaskAttempt { get; set; } = 1;
    public WorkflowTaskInfo? WorkflowTask { get; set; }
    public Dictionary<long, ActivityInfo> Activities { get; set; } = [];
    public Dictionary<string, TimerInfo> Timers { get; set; } = [];

    /// <summary>Events that arrived while a workflow task was started; they get ids when flushed.</summary>
    public List<HistoryEvent> BufferedEvents { get; set; } = [];
    public HashSet<string> SignalRequestIds { get; set; } = [];
    public int SignalCount { get; set; }

    /// <summary>Timer task id of the run timeout, deleted when the run closes some other way.</summary>
    public long RunTimeoutTaskId { get; set; }

    /// <summary>Attempt of this run under the workflow's retry policy (1 for the first run of a chain).</summary>
    public int Attempt { get; set; } = 1;
    public RetryPolicy? RetryPolicy { get; set; }
    public string CronSchedule { get; set; } = "";

    /// <summary>The first event's attributes, kept only when a retry or cron run will need them again.</summary>
    public WorkflowExecutionStartedEventAttributes? StartedAttributes { get; set; }

    /// <summary>The parent that started this run as a child; null for a top-level workflow.</summary>
    public ParentInfo? Parent { get; set; }
    public WorkflowExecution? Root { get; set; }

    /// <summary>Children started by this run and not yet closed, by initiated event id.</summary>
    public Dictionary<long, ChildInfo> Children { get; set; } = [];

    /// <summary>Updates the workflow accepted, by update id: where their Accepted and Completed events are.</summary>
    public Dictionary<string, UpdateRecord> Updates { get; set; } = [];

    /// <summary>Signals and cancel requests sent to other workflows and not yet delivered, by initiated event id.</summary>
    public Dictionary<long, ExternalRequestInfo> ExternalRequests { get; set; } = [];

    /// <summary>Nexus operations this run scheduled and that have not finished, by scheduled event id.</summary>
    public Dictionary<long, NexusOperationInfo> NexusOperations { get; set; } = [];

    /// <summary>
    /// Where this run reports its close: the completion callbacks its start carried (a Nexus operation that started it
    /// waits on them). From the WorkflowExecutionStarted event.
    /// </summary>
    public List<Callback> CompletionCallbacks { get; set; } = [];

    /// <summary>Request ids of starts that attached to this run (USE_EXISTING with on-conflict options): a retry of one
    /// finds the run instead of attaching again.</summary>
    public HashSet<string> AttachedRequestIds { get; set; } = [];

    /// <summary>
    /// The serialization context of the Nexus operation that started this run (a newer SDK's handler sends it): its
    /// payloads were encoded for that operation, so history reads and activity tasks hand it back. From the first event.
    /// </summary>
    public Temporalio.Api.Nexus.V1.PropagatedSerializationContext? NexusSerializationContext { get; set; }

    /// <summary>
    /// Worker versioning of the run (behavior, deployment version, override), from its events only: the start
    /// (override, inherited pinned version), each completed workflow task and WorkflowExecutionOptionsUpdated.
    /// Null for a run that never used versioning. <see cref="RunVersioning"/> reads the effective values.
    /// </summary>
    public Temporalio.Api.Workflow.V1.WorkflowExecutionVersioningInfo? VersioningInfo { get; set; }

    /// <summary>The deployment of the worker that completed the last workflow task, or of a pinned override.</summary>
    public string WorkerDeploymentName { get; set; } = "";

    /// <summary>Where the run can be reset to by build id (<see cref="ResetPointRecorder"/>); null when none.</summary>
    public Temporalio.Api.Workflow.V1.ResetPoints? AutoResetPoints { get; set; }

    public bool IsOpen => Status == WorkflowExecutionStatus.Running;
}

/// <summary>The one workflow task a run may have at a time, scheduled or started.</summary>
internal sealed class WorkflowTaskInfo
{
    public long ScheduledEventId { get; set; }
    public long StartedEventId { get; set; }
    public int Attempt { get; set; }
    public DateTimeOffset ScheduledTime { get; set; }
    public DateTimeOffset? StartedTime { get; set; }
    public string TaskQueue { get; set; } = "";
    public bool OnStickyQueue { get; set; }
    public TimeSpan StartToCloseTimeout { get; set; }
    public string Identity { get; set; } = "";
    public string RequestId { get; set; } = "";

    /// <summary>
    /// Set at the start when the run's pinned version is no longer where its queue sends new tasks (newer Temporal's
    /// WorkflowTaskStarted.target_worker_deployment_version_changed), so its code can continue as new onto it.
    /// </summary>
    public bool TargetVersionChanged { get; set; }

    /// <summary>The poller's build-id stamp (its worker_version_capabilities), recorded on WorkflowTaskStarted as 1.28 does.</summary>
    public Temporalio.Api.Common.V1.WorkerVersionStamp? StartedWorkerVersion { get; set; }

    /// <summary>Matching task that carries it; a task with another id is stale.</summary>
    public long TaskId { get; set; }
    public long TimeoutTaskId { get; set; }

    public bool IsStarted => StartedTime is not null;

    /// <summary>Transient: attempt above 1, its Scheduled/Started events are not written until it completes.</summary>
    public bool IsTransient => Attempt > 1;

    /// <summary>
    /// Speculative: created only to deliver updates, and not persisted. If the worker rejects every update and sends
    /// no command, it vanishes without a trace in history; any other outcome writes its events (§3.4, §5.11).
    /// </summary>
    public bool Speculative { get; set; }

    /// <summary>Its Scheduled (and Started) events exist only virtually, at the ids they will get.</summary>
    public bool IsVirtual => IsTransient || Speculative;
}

/// <summary>A scheduled activity: its current attempt and what is needed to dispatch, time out and retry it.</summary>
internal sealed class ActivityInfo
{
    public long ScheduledEventId { get; set; }
    public string ActivityId { get; set; } = "";
    public string ActivityType { get; set; } = "";
    public string TaskQueue { get; set; } = "";
    public Payloads? Input { get; set; }
    public Header? Header { get; set; }
    public Priority? Priority { get; set; }
    public RetryPolicy RetryPolicy { get; set; } = new();
    public TimeSpan ScheduleToCloseTimeout { get; set; }
    public TimeSpan ScheduleToStartTimeout { get; set; }
    public TimeSpan StartToCloseTimeout { get; set; }
    public TimeSpan HeartbeatTimeout { get; set; }
    public DateTimeOffset ScheduledTime { get; set; }
    public DateTimeOffset CurrentAttemptScheduledTime { get; set; }
    public int Attempt { get; set; } = 1;
    public DateTimeOffset? StartedTime { get; set; }
    public string StartedIdentity { get; set; } = "";
    public string StartedRequestId { get; set; } = "";

    /// <summary>The poller's build-id stamp, for the ActivityTaskStarted event written when the attempt closes.</summary>
    public Temporalio.Api.Common.V1.WorkerVersionStamp? StartedWorkerVersion { get; set; }
    public Payloads? HeartbeatDetails { get; set; }
    public DateTimeOffset? LastHeartbeatTime { get; set; }
    public Temporalio.Api.Failure.V1.Failure? LastFailure { get; set; }

    /// <summary>When the last failed attempt ended: a retry's time counts from it (and from new options, when updated).</summary>
    public DateTimeOffset? LastAttemptCompleteTime { get; set; }
    public string LastWorkerIdentity { get; set; } = "";
    public bool CancelRequested { get; set; }
    public long CancelRequestedEventId { get; set; }
    public long TaskId { get; set; }

    public long ScheduleToCloseTimerTaskId { get; set; }

    /// <summary>Timer tasks armed for the current attempt, deleted when it ends.</summary>
    public List<long> TimerTaskIds { get; set; } = [];

    /// <summary>
    /// Paused by an operator (PauseActivity): no attempt is dispatched, retried or timed out until it is unpaused; a
    /// started attempt runs on and learns it from its heartbeat response. Bookkeeping, as in Temporal (no event).
    /// </summary>
    public bool Paused { get; set; }
    public ActivityPauseInfo? PauseInfo { get; set; }

    /// <summary>ResetActivity on a started attempt: its heartbeats answer activity_reset, and the next attempt is 1.</summary>
    public bool ResetRequested { get; set; }

    /// <summary>A reset (or an unpause with reset_attempts) while an attempt ran: the attempt after it is 1.</summary>
    public bool AttemptsReset { get; set; }

    /// <summary>ResetActivity with reset_heartbeat on a started attempt: the next attempt starts without heartbeat details.</summary>
    public bool ResetHeartbeatRequested { get; set; }

    /// <summary>
    /// The options the ActivityTaskScheduled event gave, kept when UpdateActivityOptions first changes them (null while
    /// the options are the event's): what restore_original goes back to, and what the rebuild check compares.
    /// </summary>
    public Temporalio.Api.Activity.V1.ActivityOptions? OriginalOptions { get; set; }

    public bool IsStarted => StartedTime is not null;
}

/// <summary>Who paused an activity, when and why (PendingActivityInfo.pause_info).</summary>
internal sealed class ActivityPauseInfo
{
    public DateTimeOffset PauseTime { get; set; }
    public string Identity { get; set; } = "";
    public string Reason { get; set; } = "";
}

/// <summary>A user timer started by the workflow.</summary>
internal sealed class TimerInfo
{
    public string TimerId { get; set; } = "";
    public long StartedEventId { get; set; }
    public DateTimeOffset ExpiryTime { get; set; }
    public long TaskId { get; set; }
}

/// <summary>Where a child run reports its close.</summary>
internal sealed class ParentInfo
{
    public string NamespaceId { get; set; } = "";
    public string Namespace { get; set; } = "";
    public string WorkflowId { get; set; } = "";
    public string RunId { get; set; } = "";
    public long InitiatedEventId { get; set; }
}

/// <summary>A child workflow started by StartChildWorkflowExecution, until it closes.</summary>
internal sealed class ChildInfo
{
    public long InitiatedEventId { get; set; }
    public StartChildWorkflowExecutionInitiatedEventAttributes Initiated { get; set; } = new();

    /// <summary>The command's summary and details: the child's run starts with them (Describe shows them).</summary>
    public Temporalio.Api.Sdk.V1.UserMetadata? UserMetadata { get; set; }
    public string NamespaceId { get; set; } = "";
    public string RunId { get; set; } = "";
    public long StartedEventId { get; set; }
    public bool Started { get; set; }

    /// <summary>
    /// The run that initiated the child, when a reset copied its initiation into this run; null when this run did.
    /// The child's start request id names it, so a reset run finds a child its base run started instead of starting
    /// another.
    /// </summary>
    public string? OriginRunId { get; set; }

    /// <summary>The request id of the child's start: the same for every run that carries this initiation.</summary>
    public string StartRequestId(string runId) => $"{OriginRunId ?? runId}/{InitiatedEventId}";
}

/// <summary>A signal or cancel request for another workflow, with the request id that makes delivery idempotent.</summary>
internal sealed class ExternalRequestInfo
{
    public long InitiatedEventId { get; set; }
    public string RequestId { get; set; } = "";
    public HistoryEvent Initiated { get; set; } = new();
}

/// <summary>
/// The history footprint of an update: accepted (and maybe completed), or admitted by an event (a reset reapplies
/// updates that way; the worker reads the request from history).
/// </summary>
internal sealed class UpdateRecord
{
    public long AdmittedEventId { get; set; }
    public long AcceptedEventId { get; set; }
    public long CompletedEventId { get; set; }
}

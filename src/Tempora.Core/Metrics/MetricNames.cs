namespace Tempora.Core.Metrics;

/// <summary>
/// Every metric Tempora exports, named as Temporal names them (temporalio/temporal:common/metrics/metric_defs.go) so
/// that dashboards and alerts built for Temporal work unchanged. docs/observability.md lists them with their meaning.
/// </summary>
public static class MetricNames
{
    private const string Operation = "operation";
    private const string Namespace = "namespace";
    private const string TaskType = "task_type";

    // Frontend: one series set per gRPC method (the operation is the method name, e.g. StartWorkflowExecution).
    public static readonly MetricDefinition ServiceRequests = new("service_requests", MetricKind.Counter, "gRPC requests received by the frontend", Operation);
    public static readonly MetricDefinition ServiceErrorWithType = new("service_error_with_type", MetricKind.Counter, "Failed gRPC requests by error type", Operation, "error_type");
    public static readonly MetricDefinition ServiceErrorsInvalidArgument = new("service_errors_invalid_argument", MetricKind.Counter, "Requests refused as InvalidArgument", Operation);
    public static readonly MetricDefinition ServiceErrorsEntityNotFound = new("service_errors_entity_not_found", MetricKind.Counter, "Requests answered NotFound", Operation);
    public static readonly MetricDefinition ServiceErrorsExecutionAlreadyStarted = new("service_errors_execution_already_started", MetricKind.Counter, "Requests answered AlreadyExists", Operation);
    public static readonly MetricDefinition ServiceErrorsResourceExhausted = new("service_errors_resource_exhausted", MetricKind.Counter, "Requests answered ResourceExhausted", Operation);
    public static readonly MetricDefinition ServiceErrorsContextTimeout = new("service_errors_context_timeout", MetricKind.Counter, "Requests that hit their deadline or were cancelled", Operation);
    public static readonly MetricDefinition ServiceErrorsUnavailable = new("service_errors_unavailable", MetricKind.Counter, "Requests answered Unavailable (persistence unreachable, shard moved)", Operation);
    public static readonly MetricDefinition ServiceErrorsCritical = new("service_errors_critical", MetricKind.Counter, "Requests that failed with an internal error", Operation);
    public static readonly MetricDefinition ServiceLatency = new("service_latency", MetricKind.Histogram, "gRPC request latency in seconds (long polls included)", Operation);

    // Persistence: one series set per store method (operation is Temporal's name where one exists).
    public static readonly MetricDefinition PersistenceRequests = new("persistence_requests", MetricKind.Counter, "Store calls", Operation);
    public static readonly MetricDefinition PersistenceErrors = new("persistence_errors", MetricKind.Counter, "Store calls that threw", Operation);
    public static readonly MetricDefinition PersistenceLatency = new("persistence_latency", MetricKind.Histogram, "Store call latency in seconds", Operation);

    // Workflow outcomes, counted when the transition that closes a run has committed.
    public static readonly MetricDefinition WorkflowSuccess = new("workflow_success", MetricKind.Counter, "Runs completed", Namespace);
    public static readonly MetricDefinition WorkflowFailed = new("workflow_failed", MetricKind.Counter, "Runs failed", Namespace);
    public static readonly MetricDefinition WorkflowTimeout = new("workflow_timeout", MetricKind.Counter, "Runs timed out", Namespace);
    public static readonly MetricDefinition WorkflowTerminate = new("workflow_terminate", MetricKind.Counter, "Runs terminated", Namespace);
    public static readonly MetricDefinition WorkflowCancel = new("workflow_cancel", MetricKind.Counter, "Runs cancelled", Namespace);
    public static readonly MetricDefinition WorkflowContinuedAsNew = new("workflow_continued_as_new", MetricKind.Counter, "Runs continued as new", Namespace);

    // Matching: task_type is Workflow or Activity.
    public static readonly MetricDefinition PollSuccess = new("poll_success", MetricKind.Counter, "Polls that returned a task", TaskType);
    public static readonly MetricDefinition PollSuccessSync = new("poll_success_sync", MetricKind.Counter, "Polls that got a task handed over directly (sync match, no backlog)", TaskType);
    public static readonly MetricDefinition PollTimeouts = new("poll_timeouts", MetricKind.Counter, "Polls that ended empty", TaskType);
    public static readonly MetricDefinition TaskScheduleToStartLatency = new("task_schedule_to_start_latency", MetricKind.Histogram, "Seconds from task creation to a poller taking it", TaskType);

    // Timers and activity timeouts fired by the history timer queue.
    public static readonly MetricDefinition TimerTaskFired = new("timer_task_fired", MetricKind.Counter, "Timer tasks fired, by kind (UserTimer, ActivityTimeout, WorkflowRunTimeout, ...)", "timer_type");
    public static readonly MetricDefinition ScheduleToStartTimeout = new("schedule_to_start_timeout", MetricKind.Counter, "Activities timed out schedule-to-start", Namespace);
    public static readonly MetricDefinition StartToCloseTimeout = new("start_to_close_timeout", MetricKind.Counter, "Activities timed out start-to-close", Namespace);
    public static readonly MetricDefinition ScheduleToCloseTimeout = new("schedule_to_close_timeout", MetricKind.Counter, "Activities timed out schedule-to-close", Namespace);
    public static readonly MetricDefinition HeartbeatTimeout = new("heartbeat_timeout", MetricKind.Counter, "Activities timed out on heartbeat", Namespace);

    // Shards.
    public static readonly MetricDefinition NumShards = new("numshards_gauge", MetricKind.Gauge, "History shards this process owns");

    /// <summary>Every definition above, so that an exporter can register them all at start.</summary>
    public static readonly IReadOnlyList<MetricDefinition> All =
    [
        ServiceRequests, ServiceErrorWithType, ServiceErrorsInvalidArgument, ServiceErrorsEntityNotFound,
        ServiceErrorsExecutionAlreadyStarted, ServiceErrorsResourceExhausted, ServiceErrorsContextTimeout,
        ServiceErrorsUnavailable, ServiceErrorsCritical, ServiceLatency,
        PersistenceRequests, PersistenceErrors, PersistenceLatency,
        WorkflowSuccess, WorkflowFailed, WorkflowTimeout, WorkflowTerminate, WorkflowCancel, WorkflowContinuedAsNew,
        PollSuccess, PollSuccessSync, PollTimeouts, TaskScheduleToStartLatency,
        TimerTaskFired, ScheduleToStartTimeout, StartToCloseTimeout, ScheduleToCloseTimeout, HeartbeatTimeout,
        NumShards,
    ];
}

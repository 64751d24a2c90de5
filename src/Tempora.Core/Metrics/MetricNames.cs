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
    private const string TaskQueue = "taskqueue";
    private const string WorkflowType = "workflowType";
    private const string Reason = "reason";

    // The role that reports a metric: Temporal's service_name label, exported on every series (one process serves all).
    private const string Frontend = "frontend";
    private const string History = "history";
    private const string Matching = "matching";
    private const string Worker = "worker";

    // Frontend: one series set per namespace and gRPC method (the operation is the method name, e.g.
    // StartWorkflowExecution); a request naming no namespace, or one that does not exist, is labelled "_unknown_".
    public static readonly MetricDefinition ServiceRequests = new("service_requests", MetricKind.Counter, Frontend, "gRPC requests received by the frontend", Namespace, Operation);
    public static readonly MetricDefinition ServiceErrorWithType = new("service_error_with_type", MetricKind.Counter, Frontend, "Failed gRPC requests by error type", Namespace, Operation, "error_type");
    public static readonly MetricDefinition ServiceErrorsInvalidArgument = new("service_errors_invalid_argument", MetricKind.Counter, Frontend, "Requests refused as InvalidArgument", Namespace, Operation);
    public static readonly MetricDefinition ServiceErrorsEntityNotFound = new("service_errors_entity_not_found", MetricKind.Counter, Frontend, "Requests answered NotFound", Namespace, Operation);
    public static readonly MetricDefinition ServiceErrorsExecutionAlreadyStarted = new("service_errors_execution_already_started", MetricKind.Counter, Frontend, "Requests answered AlreadyExists", Namespace, Operation);
    public static readonly MetricDefinition ServiceErrorsResourceExhausted = new("service_errors_resource_exhausted", MetricKind.Counter, Frontend, "Requests answered ResourceExhausted", Namespace, Operation);
    public static readonly MetricDefinition ServiceErrorsContextTimeout = new("service_errors_context_timeout", MetricKind.Counter, Frontend, "Requests that hit their deadline or were cancelled", Namespace, Operation);
    public static readonly MetricDefinition ServiceErrorsUnavailable = new("service_errors_unavailable", MetricKind.Counter, Frontend, "Requests answered Unavailable (persistence unreachable, shard moved)", Namespace, Operation);
    public static readonly MetricDefinition ServiceErrorsCritical = new("service_errors_critical", MetricKind.Counter, Frontend, "Requests that failed with an internal error", Namespace, Operation);
    public static readonly MetricDefinition HttpServiceRequests = new("http_service_requests", MetricKind.Counter, Frontend, "Requests received through the HTTP API (also counted in service_requests)", Namespace, Operation);
    public static readonly MetricDefinition ServiceLatency = new("service_latency", MetricKind.Histogram, Frontend, "gRPC request latency in seconds (long polls included)", Namespace, Operation);

    // Persistence: one series set per store method (operation is Temporal's name where one exists).
    public static readonly MetricDefinition PersistenceRequests = new("persistence_requests", MetricKind.Counter, History, "Store calls", Operation);
    public static readonly MetricDefinition PersistenceErrors = new("persistence_errors", MetricKind.Counter, History, "Store calls that threw", Operation);
    public static readonly MetricDefinition PersistenceLatency = new("persistence_latency", MetricKind.Histogram, History, "Store call latency in seconds", Operation);

    // Workflow outcomes, counted when the transition that closes a run has committed.
    public static readonly MetricDefinition WorkflowSuccess = new("workflow_success", MetricKind.Counter, History, "Runs completed", Namespace);
    public static readonly MetricDefinition WorkflowFailed = new("workflow_failed", MetricKind.Counter, History, "Runs failed", Namespace);
    public static readonly MetricDefinition WorkflowTimeout = new("workflow_timeout", MetricKind.Counter, History, "Runs timed out", Namespace);
    public static readonly MetricDefinition WorkflowTerminate = new("workflow_terminate", MetricKind.Counter, History, "Runs terminated", Namespace);
    public static readonly MetricDefinition WorkflowCancel = new("workflow_cancel", MetricKind.Counter, History, "Runs cancelled", Namespace);
    public static readonly MetricDefinition WorkflowContinuedAsNew = new("workflow_continued_as_new", MetricKind.Counter, History, "Runs continued as new", Namespace);

    // Matching: task_type is Workflow or Activity; taskqueue is the queue's name, every sticky queue folded into
    // "__sticky__" (each worker has its own, so their names are unbounded).
    public static readonly MetricDefinition PollSuccess = new("poll_success", MetricKind.Counter, Matching, "Polls that returned a task", Namespace, TaskQueue, TaskType);
    public static readonly MetricDefinition PollSuccessSync = new("poll_success_sync", MetricKind.Counter, Matching, "Polls that got a task handed over directly (sync match, no backlog)", Namespace, TaskQueue, TaskType);
    public static readonly MetricDefinition PollTimeouts = new("poll_timeouts", MetricKind.Counter, Matching, "Polls that ended empty", Namespace, TaskQueue, TaskType);
    public static readonly MetricDefinition TaskScheduleToStartLatency = new("task_schedule_to_start_latency", MetricKind.Histogram, Matching, "Seconds from task creation to a poller taking it", Namespace, TaskQueue, TaskType);

    // Eager execution (docs/performance.md): starts that asked for their first workflow task back, the ones that did not
    // get it and why (dynamic_config_disabled, first_workflow_task_backoff, task_already_dispatched), and activities
    // started for the completing worker. Labelled as upstream's per-task-queue-family scope.
    public static readonly MetricDefinition WorkflowEagerExecution = new("workflow_eager_execution", MetricKind.Counter, History, "Starts that asked for eager execution", Namespace, TaskQueue, WorkflowType);
    public static readonly MetricDefinition WorkflowEagerExecutionDenied = new("workflow_eager_execution_denied", MetricKind.Counter, History, "Starts that asked for eager execution and fell back to matching, by reason", Namespace, TaskQueue, WorkflowType, Reason);
    public static readonly MetricDefinition ActivityEagerExecution = new("activity_eager_execution", MetricKind.Counter, History, "Activities started eagerly for the worker completing the workflow task", Namespace, TaskQueue);

    // Timers and activity timeouts fired by the history timer queue.
    public static readonly MetricDefinition TimerTaskFired = new("timer_task_fired", MetricKind.Counter, History, "Timer tasks fired, by kind (UserTimer, ActivityTimeout, WorkflowRunTimeout, ...)", "timer_type");
    public static readonly MetricDefinition ScheduleToStartTimeout = new("schedule_to_start_timeout", MetricKind.Counter, History, "Activities timed out schedule-to-start", Namespace);
    public static readonly MetricDefinition StartToCloseTimeout = new("start_to_close_timeout", MetricKind.Counter, History, "Activities timed out start-to-close", Namespace);
    public static readonly MetricDefinition ScheduleToCloseTimeout = new("schedule_to_close_timeout", MetricKind.Counter, History, "Activities timed out schedule-to-close", Namespace);
    public static readonly MetricDefinition HeartbeatTimeout = new("heartbeat_timeout", MetricKind.Counter, History, "Activities timed out on heartbeat", Namespace);

    // The visibility outbox (PostgreSQL): rows the visibility database refused, set aside in visibility_tasks_dlq.
    public static readonly MetricDefinition DlqWrites = new("dlq_writes", MetricKind.Counter, History, "Tasks moved to a dead-letter queue because they cannot be applied (task_category visibility: visibility_tasks_dlq)", "task_category");
    public static readonly MetricDefinition VisibilityDlqTasks = new("visibility_dlq_tasks", MetricKind.Gauge, History, "Rows in visibility_tasks_dlq (every replica's; each replica reports the shared count)");

    // Schedules, driven by the worker role (Temporal's scheduler reports these under the same names).
    public static readonly MetricDefinition ScheduleActionSuccess = new("schedule_action_success", MetricKind.Counter, Worker, "Workflows started by schedules", Namespace);
    public static readonly MetricDefinition ScheduleActionErrors = new("schedule_action_errors", MetricKind.Counter, Worker, "Scheduled starts that failed for good and were dropped", Namespace);
    public static readonly MetricDefinition ScheduleMissedCatchupWindow = new("schedule_missed_catchup_window", MetricKind.Counter, Worker, "Due times dropped for being older than the catch-up window", Namespace);
    public static readonly MetricDefinition ScheduleBufferOverruns = new("schedule_buffer_overruns", MetricKind.Counter, Worker, "Buffered starts dropped by the overlap policy (buffer_dropped)", Namespace);
    public static readonly MetricDefinition ScheduleActionDelay = new("schedule_action_delay", MetricKind.Histogram, Worker, "Seconds from a scheduled action's due time to its start", Namespace);

    // Archival before retention deletes a run (docs/archival.md).
    public static readonly MetricDefinition ArchiverArchiveLatency = new("archiver_archive_latency", MetricKind.Histogram, History, "Seconds to archive one closed run (history and visibility record) before retention deletes it", Namespace);
    public static readonly MetricDefinition ArchiverArchiveErrors = new("archiver_archive_errors", MetricKind.Counter, History, "Closed runs whose archiving failed; they are kept and archived again at the next retention scan", Namespace);

    // Nexus start and cancel requests history sends to handlers (components/nexusoperations' metrics): destination is
    // the endpoint's name, method StartOperation or CancelOperation, outcome as Temporal tags it (successful, pending,
    // operation-unsuccessful:failed, handler-error:TYPE, request-timeout, …).
    public static readonly MetricDefinition NexusOutboundRequests = new("nexus_outbound_requests", MetricKind.Counter, History, "Nexus requests history sent to handlers, by outcome", Namespace, "destination", "method", "outcome");
    public static readonly MetricDefinition NexusOutboundLatency = new("nexus_outbound_latency", MetricKind.Histogram, History, "Seconds from sending a Nexus request to its answer (or its timeout)", Namespace, "destination", "method", "outcome");

    // Shards.
    public static readonly MetricDefinition NumShards = new("numshards_gauge", MetricKind.Gauge, History, "History shards this process owns");

    /// <summary>Every definition above, so that an exporter can register them all at start.</summary>
    public static readonly IReadOnlyList<MetricDefinition> All =
    [
        ServiceRequests, ServiceErrorWithType, ServiceErrorsInvalidArgument, ServiceErrorsEntityNotFound,
        ServiceErrorsExecutionAlreadyStarted, ServiceErrorsResourceExhausted, ServiceErrorsContextTimeout,
        ServiceErrorsUnavailable, ServiceErrorsCritical, ServiceLatency, HttpServiceRequests,
        PersistenceRequests, PersistenceErrors, PersistenceLatency,
        WorkflowSuccess, WorkflowFailed, WorkflowTimeout, WorkflowTerminate, WorkflowCancel, WorkflowContinuedAsNew,
        PollSuccess, PollSuccessSync, PollTimeouts, TaskScheduleToStartLatency,
        WorkflowEagerExecution, WorkflowEagerExecutionDenied, ActivityEagerExecution,
        TimerTaskFired, ScheduleToStartTimeout, StartToCloseTimeout, ScheduleToCloseTimeout, HeartbeatTimeout,
        DlqWrites, VisibilityDlqTasks,
        ScheduleActionSuccess, ScheduleActionErrors, ScheduleMissedCatchupWindow, ScheduleBufferOverruns, ScheduleActionDelay,
        ArchiverArchiveLatency, ArchiverArchiveErrors,
        NexusOutboundRequests, NexusOutboundLatency,
        NumShards,
    ];
}

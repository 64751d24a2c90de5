using Google.Protobuf.WellKnownTypes;
using Tempora.History.Queues;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Sdk.V1;
using Temporalio.Api.TaskQueue.V1;

namespace Tempora.History.Execution;

internal sealed partial class Transition
{
    /// <summary>The run this transition creates in the same transaction (continue-as-new, retry, cron).</summary>
    internal Transition? Successor { get; private set; }

    /// <summary>Temporal's workflow timeout defaults (temporal-compat.md §5.8): returns execution, run and task timeouts.</summary>
    public static (TimeSpan Execution, TimeSpan Run, TimeSpan Task) NormalizeWorkflowTimeouts(Duration? execution, Duration? run, Duration? task)
    {
        var e = execution?.ToTimeSpan() ?? TimeSpan.Zero;
        var r = run?.ToTimeSpan() ?? TimeSpan.Zero;
        if (r == TimeSpan.Zero || (e > TimeSpan.Zero && r > e))
        {
            r = e;
        }
        var k = task?.ToTimeSpan() ?? TimeSpan.Zero;
        if (k <= TimeSpan.Zero)
        {
            k = HistoryLimits.DefaultWorkflowTaskTimeout;
        }
        if (k > HistoryLimits.MaxWorkflowTaskTimeout)
        {
            k = HistoryLimits.MaxWorkflowTaskTimeout;
        }
        if (r > TimeSpan.Zero && k > r)
        {
            k = r;
        }
        return (e, r, k);
    }

    /// <summary>Writes the first events of a new run and arms its first workflow task and run timeout.</summary>
    public void InitializeRun(WorkflowExecutionStartedEventAttributes a, UserMetadata? userMetadata, Action<Transition>? beforeFirstWorkflowTask = null,
        IEnumerable<Link>? links = null)
    {
        var started = NewEvent(EventType.WorkflowExecutionStarted, links);
        started.UserMetadata = userMetadata;
        started.WorkflowExecutionStartedEventAttributes = a;
        WriteEvent(started);
        beforeFirstWorkflowTask?.Invoke(this);
        var backoff = a.FirstWorkflowTaskBackoff?.ToTimeSpan() ?? TimeSpan.Zero;
        if (backoff > TimeSpan.Zero)
        {
            AddTimer(Now + backoff, new TimerTaskInfo(TimerTaskKind.WorkflowBackoff));
        }
        else
        {
            ScheduleWorkflowTask();
        }
        ArmRunTimeout();
    }

    /// <summary>The namespace's retention: how long the reset points of a run that ends here stay usable. Null where the
    /// transition was made without a namespace at hand (those points get no expiry).</summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>Creates the next run of this workflow id in the same transaction; returns its run id.</summary>
    private string StartSuccessor(WorkflowExecutionStartedEventAttributes a)
    {
        var runId = Guid.NewGuid().ToString();
        a.OriginalExecutionRunId = runId;
        a.FirstExecutionRunId = State.FirstExecutionRunId;
        a.ContinuedExecutionRunId = State.RunId;
        a.WorkflowId = State.WorkflowId;
        a.PrevAutoResetPoints = ResetPointRecorder.ForSuccessor(State, Now, Retention);
        var next = new Transition(MutableState.ForNewRun(State.NamespaceId, State.WorkflowId, runId, Guid.NewGuid().ToString(), Now), Now, taskIds, dispatcher) { Routing = Routing };
        next.InitializeRun(a, null);
        Successor = next;
        return runId;
    }

    /// <summary>Attributes for a retry or cron run: the same workflow and input as this run.</summary>
    private WorkflowExecutionStartedEventAttributes RepeatAttributes(ContinueAsNewInitiator initiator, int attempt, TimeSpan backoff,
        Failure? continuedFailure, Payloads? lastCompletionResult)
    {
        var original = State.StartedAttributes!;
        var a = new WorkflowExecutionStartedEventAttributes
        {
            WorkflowType = original.WorkflowType,
            TaskQueue = original.TaskQueue,
            Input = original.Input,
            Header = original.Header,
            WorkflowExecutionTimeout = original.WorkflowExecutionTimeout,
            WorkflowRunTimeout = original.WorkflowRunTimeout,
            WorkflowTaskTimeout = original.WorkflowTaskTimeout,
            Initiator = initiator,
            ContinuedFailure = continuedFailure,
            LastCompletionResult = lastCompletionResult,
            Attempt = attempt,
            WorkflowExecutionExpirationTime = original.WorkflowExecutionExpirationTime,
            CronSchedule = original.CronSchedule,
            FirstWorkflowTaskBackoff = Duration.FromTimeSpan(backoff),
            Memo = State.Memo,
            SearchAttributes = WithoutVersioningAttributes(State.SearchAttributes),
            RetryPolicy = original.RetryPolicy,
            ParentWorkflowNamespace = original.ParentWorkflowNamespace,
            ParentWorkflowNamespaceId = original.ParentWorkflowNamespaceId,
            ParentWorkflowExecution = original.ParentWorkflowExecution,
            ParentInitiatedEventId = original.ParentInitiatedEventId,
            RootWorkflowExecution = original.RootWorkflowExecution,
            Priority = original.Priority,
            CompletionCallbacks = { State.CompletionCallbacks }, // the chain's close is what the callbacks wait for
            PropagatedNexusSerializationContext = State.NexusSerializationContext,
        };
        (a.InheritedPinnedVersion, a.VersioningOverride) = RunInheritance.ForRepeat(State, initiator == ContinueAsNewInitiator.Retry);
        return a;
    }

    /// <summary>
    /// The run's search attributes without those the server keeps from its versioning (BuildIds and the deployment
    /// ones): a retry or cron run starts without them, as on 1.28 (whose new run takes the first event's), so that it
    /// is not counted as pinned to a version before it is.
    /// </summary>
    private static Temporalio.Api.Common.V1.SearchAttributes? WithoutVersioningAttributes(Temporalio.Api.Common.V1.SearchAttributes? attributes)
    {
        string[] serverKept = [Visibility.BuildIdsSearchAttribute.Name, Visibility.VersioningSearchAttributes.Deployment,
            Visibility.VersioningSearchAttributes.Version, Visibility.VersioningSearchAttributes.Behavior];
        if (attributes is null || !serverKept.Any(attributes.IndexedFields.ContainsKey))
        {
            return attributes;
        }
        var kept = new Temporalio.Api.Common.V1.SearchAttributes();
        kept.IndexedFields.Add(attributes.IndexedFields.Where(f => !serverKept.Contains(f.Key)).ToDictionary(f => f.Key, f => f.Value));
        return kept;
    }

    /// <summary>
    /// Closes the run with <paramref name="closeEvent"/>; a failed or timed-out run with a retry policy, or any run
    /// with a cron schedule, is followed by a new run whose id the close event names (temporal-compat.md §5.10).
    /// A run that reached its execution deadline (<paramref name="executionExpired"/>) ends with TIMEOUT and no successor.
    /// </summary>
    public void CloseRun(HistoryEvent closeEvent, WorkflowExecutionStatus status, Failure? failure = null, Payloads? result = null,
        bool executionExpired = false)
    {
        WorkflowExecutionStartedEventAttributes? next = null;
        var retryState = executionExpired ? RetryState.Timeout : RetryState.RetryPolicyNotSet;
        if (!executionExpired && status is WorkflowExecutionStatus.Failed or WorkflowExecutionStatus.TimedOut && State.RetryPolicy is { } policy
            && State.StartedAttributes is not null)
        {
            var (delay, state) = RetryPolicies.NextBackoff(RetryPolicies.WithDefaults(policy), State.Attempt, failure, Now, State.ExecutionExpirationTime);
            retryState = state;
            if (delay is { } backoff)
            {
                next = RepeatAttributes(ContinueAsNewInitiator.Retry, State.Attempt + 1, backoff, failure, null);
            }
        }
        if (next is null && !executionExpired && !string.IsNullOrEmpty(State.CronSchedule) && State.StartedAttributes is not null
            && status is WorkflowExecutionStatus.Completed or WorkflowExecutionStatus.Failed or WorkflowExecutionStatus.TimedOut
            && CronSchedules.NextBackoff(State.CronSchedule, Now, State.ExecutionExpirationTime) is { } cronBackoff)
        {
            next = RepeatAttributes(ContinueAsNewInitiator.CronSchedule, 1, cronBackoff, failure, result);
        }
        var newRunId = next is not null ? StartSuccessor(next) : "";
        switch (closeEvent.EventType)
        {
            case EventType.WorkflowExecutionCompleted:
                closeEvent.WorkflowExecutionCompletedEventAttributes.NewExecutionRunId = newRunId;
                break;
            case EventType.WorkflowExecutionFailed:
                closeEvent.WorkflowExecutionFailedEventAttributes.NewExecutionRunId = newRunId;
                closeEvent.WorkflowExecutionFailedEventAttributes.RetryState = retryState;
                break;
            case EventType.WorkflowExecutionTimedOut:
                closeEvent.WorkflowExecutionTimedOutEventAttributes.NewExecutionRunId = newRunId;
                closeEvent.WorkflowExecutionTimedOutEventAttributes.RetryState = retryState;
                break;
        }
        CloseExecution(closeEvent, successor: next is not null);
    }

    /// <summary>Closes the run as continued-as-new and starts its next run in the same transaction (§5.7).</summary>
    public void ContinueAsNew(Temporalio.Api.Command.V1.ContinueAsNewWorkflowExecutionCommandAttributes c, long completedEventId)
    {
        var (_, run, task) = NormalizeWorkflowTimeouts(null, c.WorkflowRunTimeout ?? (State.RunTimeout is { } r ? Duration.FromTimeSpan(r) : null),
            c.WorkflowTaskTimeout ?? Duration.FromTimeSpan(State.WorkflowTaskTimeout));
        var taskQueue = string.IsNullOrEmpty(c.TaskQueue?.Name) ? State.TaskQueue : c.TaskQueue.Name;
        var workflowType = string.IsNullOrEmpty(c.WorkflowType?.Name) ? new WorkflowType { Name = State.WorkflowType } : c.WorkflowType;
        var initiator = c.Initiator == ContinueAsNewInitiator.Unspecified ? ContinueAsNewInitiator.Workflow : c.Initiator;
        var backoff = c.BackoffStartInterval?.ToTimeSpan() ?? TimeSpan.Zero;
        var original = State.StartedAttributes;
        var next = new WorkflowExecutionStartedEventAttributes
        {
            WorkflowType = workflowType,
            TaskQueue = new TaskQueue { Name = taskQueue, Kind = TaskQueueKind.Normal },
            Input = c.Input,
            Header = c.Header,
            WorkflowExecutionTimeout = State.ExecutionTimeout is { } et ? Duration.FromTimeSpan(et) : null,
            WorkflowRunTimeout = run > TimeSpan.Zero ? Duration.FromTimeSpan(run) : null,
            WorkflowTaskTimeout = Duration.FromTimeSpan(task),
            Initiator = initiator,
            ContinuedFailure = c.Failure,
            LastCompletionResult = c.LastCompletionResult,
            Attempt = 1,
            WorkflowExecutionExpirationTime = State.ExecutionExpirationTime is { } exp ? Timestamp.FromDateTimeOffset(exp) : null,
            CronSchedule = string.IsNullOrEmpty(c.CronSchedule) ? State.CronSchedule : c.CronSchedule,
            FirstWorkflowTaskBackoff = backoff > TimeSpan.Zero ? Duration.FromTimeSpan(backoff) : null,
            Memo = c.Memo,
            SearchAttributes = c.SearchAttributes,
            RetryPolicy = c.RetryPolicy ?? State.RetryPolicy,
            ParentWorkflowNamespace = original?.ParentWorkflowNamespace ?? State.Parent?.Namespace ?? "",
            ParentWorkflowNamespaceId = State.Parent?.NamespaceId ?? "",
            ParentWorkflowExecution = State.Parent is { } p ? new WorkflowExecution { WorkflowId = p.WorkflowId, RunId = p.RunId } : null,
            ParentInitiatedEventId = State.Parent?.InitiatedEventId ?? 0,
            RootWorkflowExecution = State.Root,
            Priority = State.Priority,
            CompletionCallbacks = { State.CompletionCallbacks },
            PropagatedNexusSerializationContext = State.NexusSerializationContext,
        };
        (next.InheritedPinnedVersion, next.VersioningOverride) = RunInheritance.ForNewRun(State, State.NamespaceId, taskQueue, Routing);
        next.InheritedPinnedVersion = RunInheritance.ForContinueAsNew(c.InitialVersioningBehavior, next.InheritedPinnedVersion,
            State.NamespaceId, taskQueue, Routing, State.WorkflowId);
        var newRunId = StartSuccessor(next);
        var e = NewEvent(EventType.WorkflowExecutionContinuedAsNew);
        e.WorkflowExecutionContinuedAsNewEventAttributes = new WorkflowExecutionContinuedAsNewEventAttributes
        {
            NewExecutionRunId = newRunId,
            WorkflowType = workflowType,
            TaskQueue = next.TaskQueue,
            Input = c.Input,
            WorkflowRunTimeout = next.WorkflowRunTimeout,
            WorkflowTaskTimeout = next.WorkflowTaskTimeout,
            WorkflowTaskCompletedEventId = completedEventId,
            BackoffStartInterval = c.BackoffStartInterval,
            Initiator = initiator,
            Failure = c.Failure,
            LastCompletionResult = c.LastCompletionResult,
            Header = c.Header,
            Memo = c.Memo,
            SearchAttributes = c.SearchAttributes,
        };
        CloseExecution(e, successor: true);
    }
}

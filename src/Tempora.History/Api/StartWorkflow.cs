using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History;

public sealed partial class HistoryEngine
{
    /// <summary>What StartWorkflowExecution and SignalWithStartWorkflowExecution have in common.</summary>
    private sealed record StartSpec(
        string WorkflowId, WorkflowType? WorkflowType, TaskQueue? TaskQueue, Payloads? Input, Duration? ExecutionTimeout,
        Duration? RunTimeout, Duration? TaskTimeout, string Identity, string RequestId, WorkflowIdReusePolicy ReusePolicy,
        WorkflowIdConflictPolicy ConflictPolicy, RetryPolicy? RetryPolicy, string CronSchedule, Memo? Memo,
        SearchAttributes? SearchAttributes, Header? Header, Duration? StartDelay, Priority? Priority,
        Temporalio.Api.Sdk.V1.UserMetadata? UserMetadata)
    {
        /// <summary>A start request's failure and result of the run it continues (a client-driven retry or cron).</summary>
        public Temporalio.Api.Failure.V1.Failure? ContinuedFailure { get; init; }
        public Payloads? LastCompletionResult { get; init; }

        /// <summary>Links the request attaches to the WorkflowExecutionStarted event (and the signal's event).</summary>
        public IReadOnlyCollection<Link> Links { get; init; } = [];
    }

    /// <summary>A signal delivered together with the start (signal-with-start).</summary>
    private sealed record StartSignal(string Name, Payloads? Input, Header? Header);

    public async Task<StartWorkflowExecutionResponse> StartWorkflowExecutionAsync(NamespaceRecord ns, StartWorkflowExecutionRequest r, CancellationToken ct)
    {
        var spec = new StartSpec(r.WorkflowId, r.WorkflowType, r.TaskQueue, r.Input, r.WorkflowExecutionTimeout, r.WorkflowRunTimeout,
            r.WorkflowTaskTimeout, r.Identity, r.RequestId, r.WorkflowIdReusePolicy, r.WorkflowIdConflictPolicy, r.RetryPolicy,
            r.CronSchedule, r.Memo, r.SearchAttributes, r.Header, r.WorkflowStartDelay, r.Priority, r.UserMetadata)
        {
            ContinuedFailure = r.ContinuedFailure,
            LastCompletionResult = r.LastCompletionResult,
            Links = r.Links,
        };
        var (runId, started) = await StartAsync(ns, spec, null, WorkflowIdConflictPolicy.Fail, ct);
        return new StartWorkflowExecutionResponse { RunId = runId, Started = started };
    }

    public async Task<SignalWithStartWorkflowExecutionResponse> SignalWithStartWorkflowExecutionAsync(
        NamespaceRecord ns, SignalWithStartWorkflowExecutionRequest r, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(r.SignalName))
        {
            throw new InvalidArgumentException("SignalName is not set on request.");
        }
        CheckLength(r.SignalName, "SignalName");
        CheckBlob(r.SignalInput, "signal input");
        if (r.WorkflowIdConflictPolicy == WorkflowIdConflictPolicy.Fail)
        {
            throw new InvalidArgumentException("SignalWithStartWorkflowExecution doesn't accept WorkflowIdConflictPolicy FAIL.");
        }
        var spec = new StartSpec(r.WorkflowId, r.WorkflowType, r.TaskQueue, r.Input, r.WorkflowExecutionTimeout, r.WorkflowRunTimeout,
            r.WorkflowTaskTimeout, r.Identity, r.RequestId, r.WorkflowIdReusePolicy, r.WorkflowIdConflictPolicy, r.RetryPolicy,
            r.CronSchedule, r.Memo, r.SearchAttributes, r.Header, r.WorkflowStartDelay, r.Priority, r.UserMetadata)
        {
            Links = r.Links,
        };
        var (runId, started) = await StartAsync(ns, spec, new StartSignal(r.SignalName, r.SignalInput, r.Header),
            WorkflowIdConflictPolicy.UseExisting, ct);
        return new SignalWithStartWorkflowExecutionResponse { RunId = runId, Started = started };
    }

    private async Task<(string RunId, bool Started)> StartAsync(NamespaceRecord ns, StartSpec spec, StartSignal? signal,
        WorkflowIdConflictPolicy defaultConflict, CancellationToken ct, ChildOf? parent = null)
    {
        ValidateStart(spec);
        if (parent is null)
        {
            // A child's attributes were checked when its parent's command was (a failure here would retry forever).
            // Temporal's order: the number of keys, then names and types, then sizes.
            ThrowIfProblem(_limits.SearchAttributesCountProblem(spec.SearchAttributes));
            try
            {
                Tempora.Visibility.SearchAttributeValues.Validate(spec.SearchAttributes, ns.CustomSearchAttributes);
            }
            catch (InvalidArgumentException)
            {
                // The attribute may have been added through another replica since this one cached the namespace.
                ns = await namespaces.ReloadAsync(ns, ct);
                Tempora.Visibility.SearchAttributeValues.Validate(spec.SearchAttributes, ns.CustomSearchAttributes);
            }
            ThrowIfProblem(_limits.SearchAttributesSizeProblem(spec.SearchAttributes));
        }
        var reuse = spec.ReusePolicy == WorkflowIdReusePolicy.Unspecified ? WorkflowIdReusePolicy.AllowDuplicate : spec.ReusePolicy;
        var conflict = spec.ConflictPolicy == WorkflowIdConflictPolicy.Unspecified ? defaultConflict : spec.ConflictPolicy;
        // The deprecated TERMINATE_IF_RUNNING still arrives from older clients; upstream rewrites it the same way.
#pragma warning disable CS0612
        if (reuse == WorkflowIdReusePolicy.TerminateIfRunning)
#pragma warning restore CS0612
        {
            if (spec.ConflictPolicy != WorkflowIdConflictPolicy.Unspecified)
            {
                throw new InvalidArgumentException("Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING cannot be used together with a WorkflowIDConflictPolicy.");
            }
            (reuse, conflict) = (WorkflowIdReusePolicy.AllowDuplicate, WorkflowIdConflictPolicy.TerminateExisting);
        }
        if (reuse == WorkflowIdReusePolicy.RejectDuplicate && conflict == WorkflowIdConflictPolicy.TerminateExisting)
        {
            throw new InvalidArgumentException("Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE cannot be used together with WorkflowIdConflictPolicy WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING.");
        }

        // The current-run pointer is checked again by the insert; losing that race just means deciding again. A plain
        // start (conflict policy Fail) nearly always finds its id free, so its first round skips the read and lets the
        // insert find out (one store round trip less per start); signal-with-start and the Use/TerminateExisting
        // policies expect a running workflow, so they read first.
        var createFirst = signal is null && conflict == WorkflowIdConflictPolicy.Fail;
        for (var round = 0; ; round++)
        {
            var current = createFirst && round == 0 ? null : await store.GetCurrentExecutionAsync(ns.Id, spec.WorkflowId, ct);
            if (current is not null)
            {
                if (!string.IsNullOrEmpty(spec.RequestId) && current.CreateRequestId == spec.RequestId)
                {
                    return (current.RunId, true); // a retry of the request that created this run
                }
                if (current.Status == (int)WorkflowExecutionStatus.Running)
                {
                    switch (conflict)
                    {
                        case WorkflowIdConflictPolicy.UseExisting:
                            if (signal is not null)
                            {
                                await SignalRunAsync(new(ns.Id, spec.WorkflowId, current.RunId), signal.Name, signal.Input, spec.Identity,
                                    signal.Header, spec.RequestId, false, ct, spec.Links);
                            }
                            return (current.RunId, false);
                        case WorkflowIdConflictPolicy.TerminateExisting:
                            await TerminateRunAsync(new(ns.Id, spec.WorkflowId, current.RunId), "terminated by a new start (TerminateExisting)",
                                null, spec.Identity, ct);
                            break;
                        default:
                            throw new WorkflowAlreadyStartedException(
                                $"Workflow execution is already running. WorkflowId: {spec.WorkflowId}, RunId: {current.RunId}.",
                                current.CreateRequestId, current.RunId, current.FirstExecutionRunId);
                    }
                }
                else if (reuse == WorkflowIdReusePolicy.RejectDuplicate
                    || (reuse == WorkflowIdReusePolicy.AllowDuplicateFailedOnly && current.Status == (int)WorkflowExecutionStatus.Completed))
                {
                    var why = reuse == WorkflowIdReusePolicy.RejectDuplicate
                        ? "Workflow Id reuse policy: reject duplicate workflow Id."
                        : "Workflow Id reuse policy: allow duplicate workflow Id if last run failed.";
                    throw new WorkflowAlreadyStartedException(
                        $"Workflow execution already finished. WorkflowId: {spec.WorkflowId}, RunId: {current.RunId}. {why}",
                        current.CreateRequestId, current.RunId, current.FirstExecutionRunId);
                }
            }
            try
            {
                var runId = await CreateRunAsync(ns, spec, signal, new CurrentRunCondition(current?.RunId), ct, parent);
                return (runId, true);
            }
            catch (Core.Errors.CurrentExecutionConditionFailedException) when (round < 5)
            {
                // someone else moved the pointer; look again
            }
        }
    }

    /// <summary>The parent of a run started as a child workflow.</summary>
    private sealed record ChildOf(string Namespace, string NamespaceId, WorkflowExecution Parent, long InitiatedEventId, WorkflowExecution Root);

    private async Task<string> CreateRunAsync(NamespaceRecord ns, StartSpec spec, StartSignal? signal, CurrentRunCondition condition,
        CancellationToken ct, ChildOf? parent = null)
    {
        var now = time.GetUtcNow();
        var runId = Guid.NewGuid().ToString();
        var (executionTimeout, runTimeout, taskTimeout) = Transition.NormalizeWorkflowTimeouts(spec.ExecutionTimeout, spec.RunTimeout, spec.TaskTimeout);
        var delay = spec.StartDelay?.ToTimeSpan() ?? TimeSpan.Zero;
        if (!string.IsNullOrEmpty(spec.CronSchedule))
        {
            // A cron workflow's first run waits for the first fire time (§5.10).
            delay = CronSchedules.NextBackoff(spec.CronSchedule, now, null) ?? TimeSpan.Zero;
        }
        var attributes = new WorkflowExecutionStartedEventAttributes
        {
            WorkflowType = spec.WorkflowType,
            TaskQueue = new TaskQueue { Name = spec.TaskQueue!.Name, Kind = TaskQueueKind.Normal },
            Input = spec.Input,
            WorkflowExecutionTimeout = executionTimeout > TimeSpan.Zero ? Duration.FromTimeSpan(executionTimeout) : null,
            WorkflowRunTimeout = runTimeout > TimeSpan.Zero ? Duration.FromTimeSpan(runTimeout) : null,
            WorkflowTaskTimeout = Duration.FromTimeSpan(taskTimeout),
            OriginalExecutionRunId = runId,
            FirstExecutionRunId = runId,
            Identity = spec.Identity,
            Attempt = 1,
            WorkflowExecutionExpirationTime = executionTimeout > TimeSpan.Zero ? Timestamp.FromDateTimeOffset(now + executionTimeout) : null,
            Memo = spec.Memo,
            SearchAttributes = spec.SearchAttributes,
            Header = spec.Header,
            RetryPolicy = spec.RetryPolicy is null ? null : RetryPolicies.WithDefaults(spec.RetryPolicy),
            CronSchedule = spec.CronSchedule,
            FirstWorkflowTaskBackoff = delay > TimeSpan.Zero ? Duration.FromTimeSpan(delay) : null,
            WorkflowId = spec.WorkflowId,
            Priority = spec.Priority,
            ContinuedFailure = spec.ContinuedFailure,
            LastCompletionResult = spec.LastCompletionResult,
        };
        if (parent is not null)
        {
            attributes.ParentWorkflowNamespace = parent.Namespace;
            attributes.ParentWorkflowNamespaceId = parent.NamespaceId;
            attributes.ParentWorkflowExecution = parent.Parent;
            attributes.ParentInitiatedEventId = parent.InitiatedEventId;
            attributes.RootWorkflowExecution = parent.Root;
        }
        var state = MutableState.ForNewRun(ns.Id, spec.WorkflowId, runId, spec.RequestId, now);
        await CreateAsync(state, t => t.InitializeRun(attributes, spec.UserMetadata, signal is null ? null : first =>
            first.Signal(signal.Name, signal.Input, spec.Identity, signal.Header, spec.RequestId, skipWorkflowTask: true, links: spec.Links),
            spec.Links), condition, ct);
        return runId;
    }

    private void ValidateStart(StartSpec spec)
    {
        if (string.IsNullOrEmpty(spec.WorkflowId))
        {
            throw new InvalidArgumentException("WorkflowId is not set on request.");
        }
        CheckLength(spec.WorkflowId, "WorkflowId");
        if (string.IsNullOrEmpty(spec.WorkflowType?.Name))
        {
            throw new InvalidArgumentException("WorkflowType is not set on request.");
        }
        CheckLength(spec.WorkflowType.Name, "WorkflowType");
        if (string.IsNullOrEmpty(spec.TaskQueue?.Name))
        {
            throw new InvalidArgumentException("TaskQueue is not set on request.");
        }
        CheckLength(spec.TaskQueue.Name, "TaskQueue");
        Validation.TaskQueueNames.CheckNotReserved(spec.TaskQueue.Name);
        CheckLength(spec.RequestId, "RequestId");
        CheckLength(spec.Identity, "Identity");
        foreach (var (name, d) in new[] { ("WorkflowExecutionTimeout", spec.ExecutionTimeout), ("WorkflowRunTimeout", spec.RunTimeout),
                     ("WorkflowTaskTimeout", spec.TaskTimeout), ("WorkflowStartDelay", spec.StartDelay) })
        {
            if (d is not null && d.ToTimeSpan() < TimeSpan.Zero)
            {
                throw new InvalidArgumentException($"Invalid {name}.");
            }
        }
        CheckBlob(spec.Input, "input");
        CheckBlob(spec.Header, "header");
        ThrowIfProblem(_limits.UserMetadataProblem(spec.UserMetadata));
        RequestLinks.Validate(spec.Links);
        if (_limits.IsMemoTooLarge(spec.Memo))
        {
            throw new InvalidArgumentException("Memo size exceeds limit.");
        }
        if (spec.RetryPolicy is not null)
        {
            // Defaults first, as Temporal's validateRetryPolicy does: a policy with only maximum_attempts is valid.
            RetryPolicies.WithDefaults(spec.RetryPolicy);
        }
        if (!string.IsNullOrEmpty(spec.CronSchedule))
        {
            CronSchedules.Validate(spec.CronSchedule);
            if (spec.StartDelay is not null && spec.StartDelay.ToTimeSpan() > TimeSpan.Zero)
            {
                throw new InvalidArgumentException("CronSchedule and WorkflowStartDelay may not be used together.");
            }
        }
    }

    internal static void CheckLength(string? value, string what)
    {
        if (value is not null && value.Length > HistoryLimits.MaxIdLength)
        {
            throw new InvalidArgumentException($"{what} exceeds length limit.");
        }
    }

    /// <summary>InvalidArgument when a payload-bearing field of a request is over the blob limit.</summary>
    internal void CheckBlob(IMessage? payloads, string what)
    {
        if (_limits.IsBlobTooLarge(payloads))
        {
            throw new InvalidArgumentException($"Blob data size exceeds limit ({what}).");
        }
    }

    /// <summary>InvalidArgument with the problem a limit check found, if any.</summary>
    internal static void ThrowIfProblem(string? problem)
    {
        if (problem is not null)
        {
            throw new InvalidArgumentException(problem);
        }
    }
}

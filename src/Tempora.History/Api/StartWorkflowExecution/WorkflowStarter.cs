using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.History.Validation;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;

namespace Tempora.History.Api;

/// <summary>
/// Starts a run under Temporal's id reuse and conflict policies: for StartWorkflowExecution, signal-with-start,
/// update-with-start and child workflows.
/// </summary>
internal sealed class WorkflowStarter(
    IExecutionStore store, PayloadLimits limits, TimeProvider time, WorkflowUpdater updater,
    RunSignaler signaler, RunTerminator terminator)
{
    public async Task<(string RunId, bool Started)> StartAsync(NamespaceRecord ns, StartSpec spec, StartSignal? signal,
        WorkflowIdConflictPolicy defaultConflict, CancellationToken ct, ChildOf? parent = null)
    {
        var (runId, started, _) = await StartAsync(ns, spec, signal, defaultConflict, eager: false, ct, parent);
        return (runId, started);
    }

    /// <summary>
    /// Starts a run; with <paramref name="eager"/>, a new run's first workflow task is started for the requester in
    /// the same transaction and returned (eager workflow start), as is that task again to a retry of the request that
    /// created the run while the task is still its first, started and unanswered (upstream's respondToRetriedRequest).
    /// A start that finds an existing run (USE_EXISTING) or waits for a first-task backoff gets none.
    /// </summary>
    public async Task<(string RunId, bool Started, StartedWorkflowTask? EagerTask)> StartAsync(NamespaceRecord ns, StartSpec spec,
        StartSignal? signal, WorkflowIdConflictPolicy defaultConflict, bool eager, CancellationToken ct, ChildOf? parent = null)
    {
        if (parent is not null)
        {
            // A request's start was checked by the frontend (StartRequestValidation); a child's comes from a workflow
            // command, so it is checked here, by the same rules.
            StartRules.CheckFields(spec, limits);
        }
        var (reuse, conflict) = StartRules.Policies(spec, defaultConflict);

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
                    if (spec.Schedule is not null)
                    {
                        // A scheduled start commits with the schedule's record of it, so this is another action of the
                        // schedule for the same time: a duplicate, not a retry.
                        throw new WorkflowAlreadyStartedException(
                            $"Workflow execution was already started by this schedule. WorkflowId: {spec.WorkflowId}, RunId: {current.RunId}.",
                            current.CreateRequestId, current.RunId, current.FirstExecutionRunId);
                    }
                    // a retry of the request that created this run
                    return (current.RunId, true, eager ? await FirstTaskStillStartedAsync(ns, spec.WorkflowId, current.RunId, ct) : null);
                }
                if (current.Status == (int)WorkflowExecutionStatus.Running)
                {
                    switch (conflict)
                    {
                        case WorkflowIdConflictPolicy.UseExisting:
                            if (signal is not null)
                            {
                                await signaler.SignalAsync(new(ns.Id, spec.WorkflowId, current.RunId), signal.Name, signal.Input, spec.Identity,
                                    signal.Header, spec.RequestId, false, ct, spec.Links);
                            }
                            else if (spec.OnConflict is { } attach && (attach.AttachRequestId || attach.AttachCompletionCallbacks || attach.AttachLinks)
                                && !await AttachAsync(new(ns.Id, spec.WorkflowId, current.RunId), spec, attach, ct))
                            {
                                continue; // it closed meanwhile: decide again
                            }
                            return (current.RunId, false, null);
                        case WorkflowIdConflictPolicy.TerminateExisting:
                            await terminator.TerminateAsync(new(ns.Id, spec.WorkflowId, current.RunId), "terminated by a new start (TerminateExisting)",
                                null, spec.Identity, ct);
                            break;
                        default:
                            throw new WorkflowAlreadyStartedException(
                                $"Workflow execution is already running. WorkflowId: {spec.WorkflowId}, RunId: {current.RunId}.",
                                current.CreateRequestId, current.RunId, current.FirstExecutionRunId, running: true);
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
                var (runId, eagerTask) = await CreateRunAsync(ns, spec, signal, new CurrentRunCondition(current?.RunId), eager, ct, parent);
                return (runId, true, eagerTask);
            }
            catch (Core.Errors.CurrentExecutionConditionFailedException) when (round < 5)
            {
                // someone else moved the pointer; look again
            }
        }
    }

    /// <summary>
    /// Attaches a start's request id, callbacks and links to the running run it found (Temporal's
    /// handleUseExistingWorkflowOnConflictOptions); once per request id, so a retried start does not attach twice.
    /// False when the run closed in the meantime.
    /// </summary>
    private async Task<bool> AttachAsync(Tempora.Core.WorkflowKey key, StartSpec spec, Temporalio.Api.Workflow.V1.OnConflictOptions attach, CancellationToken ct)
    {
        var attached = false;
        await updater.UpdateAsync(key, t =>
        {
            if (!t.State.IsOpen)
            {
                return 0;
            }
            attached = true;
            var requestId = attach.AttachRequestId ? spec.RequestId : "";
            if (requestId.Length == 0 || !t.State.AttachedRequestIds.Contains(requestId))
            {
                t.AttachStart(requestId, attach.AttachCompletionCallbacks ? spec.CompletionCallbacks : [], attach.AttachLinks ? spec.Links : []);
            }
            return 0;
        }, ct);
        return attached;
    }

    /// <summary>The run's first task when it is still started and unanswered on its first attempt (a retried eager start).</summary>
    private Task<StartedWorkflowTask?> FirstTaskStillStartedAsync(NamespaceRecord ns, string workflowId, string runId, CancellationToken ct) =>
        updater.ReadAsync(new Tempora.Core.WorkflowKey(ns.Id, workflowId, runId), (s, _) =>
            s.IsOpen && s.WorkflowTask is { IsStarted: true, StartedEventId: 3, Attempt: 1, Speculative: false } wft
                ? WorkflowTaskResponses.FirstStarted(s, wft)
                : null, ct);

    private async Task<(string RunId, StartedWorkflowTask? EagerTask)> CreateRunAsync(NamespaceRecord ns, StartSpec spec, StartSignal? signal,
        CurrentRunCondition condition, bool eager, CancellationToken ct, ChildOf? parent = null)
    {
        var now = time.GetUtcNow();
        var runId = spec.PresetRunId ?? Guid.NewGuid().ToString();
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
            CompletionCallbacks = { spec.CompletionCallbacks },
            PropagatedNexusSerializationContext = spec.NexusSerializationContext,
            VersioningOverride = spec.VersioningOverride is { } o ? VersioningOverrides.Normalize(o) : null,
            InheritedPinnedVersion = spec.InheritedPinnedVersion,
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
        StartedWorkflowTask? eagerTask = null;
        await updater.CreateAsync(state, t =>
        {
            t.InitializeRun(attributes, spec.UserMetadata, signal is null ? null : first =>
                first.Signal(signal.Name, signal.Input, spec.Identity, signal.Header, spec.RequestId, skipWorkflowTask: true, links: spec.Links),
                spec.Links);
            // Eager start: WorkflowTaskStarted is written with the run, for the starter's own worker, so the task never
            // reaches matching (upstream records it with the start request's identity and request id). A first task
            // that waits for a backoff (delay, cron) is not scheduled yet, so it goes the normal way.
            if (eager && t.State.WorkflowTask is { IsStarted: false })
            {
                var wft = t.StartWorkflowTaskInline(spec.Identity, string.IsNullOrEmpty(spec.RequestId) ? Guid.NewGuid().ToString() : spec.RequestId);
                eagerTask = WorkflowTaskResponses.FirstStarted(t.State, wft);
            }
        }, condition, ct, spec.Schedule);
        return (runId, eagerTask);
    }
}

using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>
/// What StartWorkflowExecution, SignalWithStartWorkflowExecution and a child start have in common. Public: the
/// frontend validates a request's start through it (<see cref="Validation.StartRules"/>).
/// </summary>
public sealed record StartSpec(
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

    /// <summary>Where the run reports its close (a Nexus operation that started it); recorded in its first event.</summary>
    public IReadOnlyCollection<Callback> CompletionCallbacks { get; init; } = [];

    /// <summary>What a start that finds the workflow running (USE_EXISTING) attaches to that run.</summary>
    public Temporalio.Api.Workflow.V1.OnConflictOptions? OnConflict { get; init; }

    /// <summary>The serialization context of the Nexus operation starting the workflow, recorded in its first event.</summary>
    public Temporalio.Api.Nexus.V1.PropagatedSerializationContext? NexusSerializationContext { get; init; }

    /// <summary>The run's versioning override as the request sent it (WorkflowExecutionStarted records its v0.32 form).</summary>
    public Temporalio.Api.Workflow.V1.VersioningOverride? VersioningOverride { get; init; }

    /// <summary>A pinned version the run starts on, inherited from its parent or the run it continues (1.28's inherited_pinned_version).</summary>
    public Temporalio.Api.Deployment.V1.WorkerDeploymentVersion? InheritedPinnedVersion { get; init; }

    /// <summary>The new run's id when the caller chose it beforehand (a schedule records it in the same write).</summary>
    public string? PresetRunId { get; init; }

    /// <summary>The schedule's change written in the transaction that creates the run (a scheduled start).</summary>
    public Tempora.Persistence.Schedules.ScheduleWrite? Schedule { get; init; }

    public static StartSpec Of(StartWorkflowExecutionRequest r) => new(r.WorkflowId, r.WorkflowType, r.TaskQueue, r.Input,
        r.WorkflowExecutionTimeout, r.WorkflowRunTimeout, r.WorkflowTaskTimeout, r.Identity, r.RequestId, r.WorkflowIdReusePolicy,
        r.WorkflowIdConflictPolicy, r.RetryPolicy, r.CronSchedule, r.Memo, r.SearchAttributes, r.Header, r.WorkflowStartDelay, r.Priority,
        r.UserMetadata)
    {
        ContinuedFailure = r.ContinuedFailure,
        LastCompletionResult = r.LastCompletionResult,
        Links = r.Links,
        CompletionCallbacks = r.CompletionCallbacks,
        OnConflict = r.OnConflictOptions,
        NexusSerializationContext = r.PropagatedNexusSerializationContext,
        VersioningOverride = r.VersioningOverride,
    };

    public static StartSpec Of(SignalWithStartWorkflowExecutionRequest r) => new(r.WorkflowId, r.WorkflowType, r.TaskQueue, r.Input,
        r.WorkflowExecutionTimeout, r.WorkflowRunTimeout, r.WorkflowTaskTimeout, r.Identity, r.RequestId, r.WorkflowIdReusePolicy,
        r.WorkflowIdConflictPolicy, r.RetryPolicy, r.CronSchedule, r.Memo, r.SearchAttributes, r.Header, r.WorkflowStartDelay, r.Priority,
        r.UserMetadata)
    {
        Links = r.Links,
        VersioningOverride = r.VersioningOverride,
    };
}

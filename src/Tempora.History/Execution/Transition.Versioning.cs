using Tempora.Core;
using Tempora.Core.Versioning;

namespace Tempora.History.Execution;

internal sealed partial class Transition
{
    /// <summary>Which task queues each worker deployment version has registered; null: none (every queue counts as registered).</summary>
    public IDeploymentRouting? Routing { get; init; }

    /// <summary>
    /// The version a new task of the run must go to, as 1.28's directive: the effective version while the run is
    /// effectively pinned. An activity on a queue that version has not registered is independent (routed as unpinned).
    /// </summary>
    internal DeploymentVersion? DirectiveFor(string taskQueue, TaskKind type)
    {
        if (RunVersioning.PinnedVersion(State) is not { } pinned)
        {
            return null;
        }
        if (type == TaskKind.Activity && Routing is { } routing && !routing.IsRegistered(State.NamespaceId, pinned, taskQueue, type))
        {
            return null;
        }
        return pinned;
    }

    /// <summary>A workflow task for the worker's sticky queue: that one worker's, which matching leaves as it is.</summary>
    private bool IsStickyQueue(string taskQueue, TaskKind type) =>
        type == TaskKind.Workflow && State.StickyQueue is { } sticky && sticky == taskQueue && taskQueue != State.TaskQueue;

    /// <summary>
    /// Whether the run's sticky worker runs a version the run no longer goes to: an unpinned run whose queue's current
    /// (or ramping) version moved on since its last task. Its next task goes to the normal queue, and so to the new
    /// version, as Temporal's matching refuses such a sticky task; a pinned run stays with its version's worker.
    /// </summary>
    private bool StickyWorkerLeftBehind()
    {
        if (Routing is null || RunVersioning.PinnedVersion(State) is not null)
        {
            return false;
        }
        var target = Routing.For(State.NamespaceId, State.TaskQueue, TaskKind.Workflow).TargetFor(State.WorkflowId);
        return target != RunVersioning.EffectiveVersion(State);
    }

    /// <summary>
    /// Whether the run is pinned to a version its queue no longer sends new tasks to (another current or ramping
    /// version): what a workflow reads as TargetWorkerDeploymentVersionChanged to decide to continue as new onto it.
    /// </summary>
    private bool PinnedTargetMoved() =>
        Routing is not null && RunVersioning.PinnedVersion(State) is { } pinned
        && Routing.For(State.NamespaceId, State.TaskQueue, TaskKind.Workflow).TargetFor(State.WorkflowId) is { } target
        && target != pinned;

    /// <summary>Whether a registered version has <paramref name="taskQueue"/> (for inheritance); true with no routing known.</summary>
    internal bool IsRegistered(DeploymentVersion version, string taskQueue, TaskKind type) =>
        Routing?.IsRegistered(State.NamespaceId, version, taskQueue, type) ?? true;

    /// <summary>
    /// The run's effective version or behavior changed (an override): as 1.28 does, stickiness is dropped and the
    /// pending workflow task and activities not yet started go to matching again with the new directive; their old
    /// tasks are stale by id. A started workflow task runs its course.
    /// </summary>
    public void RedispatchAfterVersioningChange()
    {
        State.StickyQueue = null;
        if (State.WorkflowTask is { IsStarted: false, Speculative: false, TaskId: > 0 } wft)
        {
            DeleteMatchingTask(wft.TaskId);
            if (wft.OnStickyQueue)
            {
                DeleteTimer(wft.TimeoutTaskId);
                wft.TimeoutTaskId = 0;
                wft.OnStickyQueue = false;
                wft.TaskQueue = State.TaskQueue;
            }
            wft.TaskId = AddMatchingTask(wft.TaskQueue, TaskKind.Workflow, wft.ScheduledEventId, wft.Attempt);
        }
        RedispatchPendingActivities();
    }

    /// <summary>
    /// 1.28's MergeAndApply for WorkflowExecutionOptions: the update <paramref name="mask"/> says whether
    /// <paramref name="requested"/> (null: none) replaces the run's versioning override; when that changes it,
    /// WorkflowExecutionOptionsUpdated records the new one (or unset_versioning_override) and, if the run's effective
    /// version or behavior changed, its pending tasks are re-dispatched. Returns the merged override.
    /// </summary>
    public Temporalio.Api.Workflow.V1.VersioningOverride? MergeVersioningOverride(
        Temporalio.Api.Workflow.V1.VersioningOverride? requested, IEnumerable<string> mask)
    {
        var fields = mask.ToHashSet(StringComparer.Ordinal);
        var deployment = fields.Contains("versioning_override.deployment");
        if (deployment != fields.Contains("versioning_override.behavior"))
        {
            throw new Tempora.Core.Errors.InvalidArgumentException("error applying update_options: versioning_override fields must be updated together");
        }
        var current = State.VersioningInfo?.VersioningOverride;
        var merged = fields.Contains("versioning_override") || deployment
            ? requested is null ? null : Validation.VersioningOverrides.Normalize(requested)
            : current;
        if (Equals(merged, current))
        {
            return merged;
        }
        var before = RunVersioning.Effective(State);
        var e = NewEvent(Temporalio.Api.Enums.V1.EventType.WorkflowExecutionOptionsUpdated);
        e.WorkflowExecutionOptionsUpdatedEventAttributes = new Temporalio.Api.History.V1.WorkflowExecutionOptionsUpdatedEventAttributes
        {
            VersioningOverride = merged,
            UnsetVersioningOverride = merged is null,
        };
        e.WorkerMayIgnore = true; // as Temporal sets it: the SDKs skip the event in replay, it is not workflow code's
        AddWorkflowEvent(e, scheduleWorkflowTask: false);
        if (RunVersioning.Effective(State) != before)
        {
            RedispatchAfterVersioningChange();
        }
        return merged;
    }

    /// <summary>Activities waiting for a poller get a new task with the run's current directive (1.28's reschedulePendingActivities).</summary>
    public void RedispatchPendingActivities()
    {
        foreach (var a in State.Activities.Values)
        {
            if (a is { IsStarted: false, Paused: false, TaskId: > 0 })
            {
                DeleteMatchingTask(a.TaskId);
                a.TaskId = AddMatchingTask(a.TaskQueue, TaskKind.Activity, a.ScheduledEventId, a.Attempt);
            }
        }
    }
}

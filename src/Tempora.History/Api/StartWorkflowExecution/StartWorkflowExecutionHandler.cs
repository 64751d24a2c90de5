using Tempora.Core.Metrics;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <param name="eagerStartEnabled">
/// Temporal's system.enableEagerWorkflowStart: when off, request_eager_execution is a hint not taken (as upstream, which
/// then starts the run normally and counts the denial), so the first task goes through matching.
/// </param>
internal sealed class StartWorkflowExecutionHandler(WorkflowStarter starter, WorkflowTaskResponses responses, bool eagerStartEnabled, IMetrics metrics)
{
    public async Task<StartWorkflowExecutionResponse> HandleAsync(NamespaceRecord ns, StartWorkflowExecutionRequest r, CancellationToken ct)
    {
        // The request's fields were checked by the frontend (StartRequestValidation).
        var spec = StartSpec.Of(r);
        var eager = r.RequestEagerExecution && eagerStartEnabled;
        var (runId, started, eagerTask) = await starter.StartAsync(ns, spec, null, WorkflowIdConflictPolicy.Fail, eager, ct);
        var response = new StartWorkflowExecutionResponse { RunId = runId, Started = started, Link = LinkTo(ns, r, runId, started) };
        if (eagerTask is not null)
        {
            response.EagerWorkflowTask = await responses.ResponseAsync(ns, eagerTask, ct);
        }
        if (r.RequestEagerExecution)
        {
            CountEager(ns, r, eagerTask is not null);
        }
        return response;
    }

    /// <summary>
    /// The link Temporal answers a start with: to the run's first event, or, when the start attached its request id to
    /// a running workflow (use-existing), to that request's event. A Nexus handler hands it to its caller, whose
    /// NexusOperationStarted event then links to the workflow it started.
    /// </summary>
    private static Temporalio.Api.Common.V1.Link LinkTo(NamespaceRecord ns, StartWorkflowExecutionRequest r, string runId, bool started)
    {
        var link = new Temporalio.Api.Common.V1.Link.Types.WorkflowEvent { Namespace = ns.Name, WorkflowId = r.WorkflowId, RunId = runId };
        if (!started && r.OnConflictOptions?.AttachRequestId == true)
        {
            link.RequestIdRef = new() { RequestId = r.RequestId, EventType = EventType.WorkflowExecutionOptionsUpdated };
        }
        else
        {
            link.EventRef = new() { EventId = 1, EventType = EventType.WorkflowExecutionStarted };
        }
        return new Temporalio.Api.Common.V1.Link { WorkflowEvent = link };
    }

    /// <summary>Upstream's workflow_eager_execution and, when the task did not come back, the denial with its reason.</summary>
    private void CountEager(NamespaceRecord ns, StartWorkflowExecutionRequest r, bool granted)
    {
        var taskQueue = r.TaskQueue.Name;
        var type = string.IsNullOrEmpty(r.WorkflowType.Name) ? "_unknown_" : r.WorkflowType.Name;
        metrics.Increment(MetricNames.WorkflowEagerExecution, ns.Name, taskQueue, type);
        if (granted)
        {
            return;
        }
        var reason = !eagerStartEnabled ? "dynamic_config_disabled"
            : HasFirstTaskBackoff(r) ? "first_workflow_task_backoff"
            : "task_already_dispatched"; // a retried start whose first task has been answered, or an existing run
        metrics.Increment(MetricNames.WorkflowEagerExecutionDenied, ns.Name, taskQueue, type, reason);
    }

    /// <summary>A delayed or cron start: its first workflow task waits for a backoff, so it is not started with the run.</summary>
    private static bool HasFirstTaskBackoff(StartWorkflowExecutionRequest r) =>
        r.WorkflowStartDelay is { } delay && delay.ToTimeSpan() > TimeSpan.Zero || !string.IsNullOrEmpty(r.CronSchedule);
}

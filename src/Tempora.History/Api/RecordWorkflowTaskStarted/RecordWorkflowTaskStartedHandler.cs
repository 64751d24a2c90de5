using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Versioning;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class RecordWorkflowTaskStartedHandler(
    IExecutionStore store, WorkflowUpdater updater, WorkflowTaskResponses responses, QueryTaskStarter queryTasks)
{
    /// <summary>
    /// Called when matching hands a workflow task to a poller: records the start (WorkflowTaskStarted) and builds the
    /// poll response. Returns null when the task is stale, after dropping it.
    /// </summary>
    public async Task<PollWorkflowTaskQueueResponse?> HandleAsync(
        NamespaceRecord ns, MatchingTask task, PollWorkflowTaskQueueRequest poll, CancellationToken ct)
    {
        if (task.Query is not null)
        {
            return await queryTasks.StartAsync(ns, task, poll, ct);
        }
        var key = new WorkflowKey(ns.Id, task.WorkflowId, task.RunId);
        StartedWorkflowTask? started;
        DeploymentVersion? misrouted = null;
        try
        {
            started = await updater.UpdateAsync(key, (t, ctx) =>
            {
                var s = t.State;
                if (!s.IsOpen || s.WorkflowTask is not { IsStarted: false } pending || pending.TaskId != task.TaskId)
                {
                    return null;
                }
                if (TaskVersionCheck.Misrouted(s, poll.DeploymentOptions) is { } pinned)
                {
                    misrouted = pinned;
                    return null;
                }
                var wft = t.StartWorkflowTask(task.TaskId, poll.Identity, Guid.NewGuid().ToString(),
                    WorkerStamps.FromCapabilities(poll.WorkerVersionCapabilities));
                // A sticky worker has the run cached and gets only what it has not seen (§3.5).
                return WorkflowTaskResponses.Started(t, ctx, wft, partialHistory: wft.OnStickyQueue, answeredQueries: null, answeredUpdates: null);
            }, CancellationToken.None);
        }
        catch (EntityNotFoundException)
        {
            started = null;
        }
        if (misrouted is not null)
        {
            throw new TaskMisroutedException(misrouted); // the task stays due: matching offers it to that version
        }
        if (started is null)
        {
            await store.DeleteTasksAsync([], [task.TaskId], CancellationToken.None);
            return null;
        }
        return await responses.ResponseAsync(ns, started, ct);
    }
}

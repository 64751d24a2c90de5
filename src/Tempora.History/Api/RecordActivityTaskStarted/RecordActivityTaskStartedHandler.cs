using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Versioning;
using Tempora.History.Execution;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>Records that a poller took an activity attempt and builds its poll response; null when stale.</summary>
internal sealed class RecordActivityTaskStartedHandler(IExecutionStore store, WorkflowUpdater updater)
{
    public async Task<PollActivityTaskQueueResponse?> HandleAsync(
        NamespaceRecord ns, MatchingTask task, PollActivityTaskQueueRequest poll, CancellationToken ct)
    {
        var key = new WorkflowKey(ns.Id, task.WorkflowId, task.RunId);
        PollActivityTaskQueueResponse? response;
        DeploymentVersion? misrouted = null;
        try
        {
            response = await updater.UpdateAsync(key, t =>
            {
                if (!t.State.IsOpen || !t.State.Activities.TryGetValue(task.ScheduledEventId, out var a) || a.IsStarted || a.TaskId != task.TaskId || a.Paused)
                {
                    return null;
                }
                if (TaskVersionCheck.Misrouted(t, a.TaskQueue, poll.DeploymentOptions) is { } pinned)
                {
                    misrouted = pinned;
                    return null;
                }
                t.StartActivity(a, task, poll.Identity, Guid.NewGuid().ToString(), WorkerStamps.FromCapabilities(poll.WorkerVersionCapabilities));
                return ActivityTasks.Response(ns, key, t.State, a);
            }, CancellationToken.None);
        }
        catch (EntityNotFoundException)
        {
            response = null;
        }
        if (misrouted is not null)
        {
            throw new TaskMisroutedException(misrouted); // the task stays due: matching offers it to that version
        }
        if (response is null)
        {
            await store.DeleteTasksAsync([], [task.TaskId], CancellationToken.None);
        }
        return response;
    }
}

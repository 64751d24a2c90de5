using Tempora.Core;
using Tempora.Core.Errors;
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
        try
        {
            response = await updater.UpdateAsync(key, t =>
            {
                if (!t.State.IsOpen || !t.State.Activities.TryGetValue(task.ScheduledEventId, out var a) || a.IsStarted || a.TaskId != task.TaskId || a.Paused)
                {
                    return null;
                }
                t.StartActivity(a, task, poll.Identity, Guid.NewGuid().ToString());
                return ActivityTasks.Response(ns, key, t.State, a);
            }, CancellationToken.None);
        }
        catch (EntityNotFoundException)
        {
            response = null;
        }
        if (response is null)
        {
            await store.DeleteTasksAsync([], [task.TaskId], CancellationToken.None);
        }
        return response;
    }
}

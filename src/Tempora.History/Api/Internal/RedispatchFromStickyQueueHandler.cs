using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.History.Updates;

namespace Tempora.History.Api;

internal sealed class RedispatchFromStickyQueueHandler(WorkflowUpdater updater)
{
    /// <summary>
    /// Moves a workflow task that waits on a sticky queue whose worker went away (ShutdownWorker) to the normal
    /// queue at once, instead of waiting for the sticky schedule-to-start timeout.
    /// </summary>
    public async Task HandleAsync(MatchingTask task, CancellationToken ct)
    {
        var key = new WorkflowKey(task.Queue.NamespaceId, task.WorkflowId, task.RunId);
        try
        {
            await updater.UpdateAsync(key, t =>
            {
                if (!t.State.IsOpen || t.State.WorkflowTask is not { IsStarted: false, OnStickyQueue: true } wft || wft.TaskId != task.TaskId)
                {
                    return 0;
                }
                t.DeleteMatchingTask(wft.TaskId);
                t.DeleteTimer(wft.TimeoutTaskId);
                t.State.StickyQueue = null;
                wft.OnStickyQueue = false;
                wft.TaskQueue = t.State.TaskQueue;
                wft.TimeoutTaskId = 0;
                wft.TaskId = t.AddMatchingTask(wft.TaskQueue, TaskKind.Workflow, wft.ScheduledEventId, wft.Attempt);
                return 0;
            }, ct);
        }
        catch (EntityNotFoundException)
        {
            // gone: nothing to move
        }
    }
}

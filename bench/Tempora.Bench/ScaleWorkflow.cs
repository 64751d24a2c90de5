using Temporalio.Workflows;

namespace Tempora.Bench;

/// <summary>
/// The scale mode's open workflow: it waits for a "finish" signal, the even ones with a long timer armed too (an hour,
/// so it stays in the timer table, not in the timer queue's window). Either way the signal completes it.
/// </summary>
[Workflow(Name)]
public sealed class ScaleWorkflow
{
    public const string Name = "ScaleWorkflow";

    /// <summary>First workflow tasks run by this process (not replays): how many of the started runs are open and idle.</summary>
    private static int _firstTasks;

    private bool _finish;

    public static int FirstTasks => Volatile.Read(ref _firstTasks);

    [WorkflowRun]
    public async Task<string> RunAsync(bool withTimer)
    {
        if (!Workflow.Unsafe.IsReplaying)
        {
            Interlocked.Increment(ref _firstTasks);
        }
        if (withTimer)
        {
            await Workflow.WaitConditionAsync(() => _finish, TimeSpan.FromHours(1));
        }
        else
        {
            await Workflow.WaitConditionAsync(() => _finish);
        }
        return "done";
    }

    [WorkflowSignal("finish")]
    public Task FinishAsync()
    {
        _finish = true;
        return Task.CompletedTask;
    }
}

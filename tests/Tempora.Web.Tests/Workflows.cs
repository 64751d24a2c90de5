using Temporalio.Activities;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace Tempora.Web.Tests;

/// <summary>Greets through an activity, so its history has an activity for the timeline and the event list.</summary>
[Workflow]
public sealed class GreetingWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string name) =>
        Workflow.ExecuteActivityAsync(() => GreetingActivities.Greet(name), new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) });
}

public static class GreetingActivities
{
    [Activity]
    public static string Greet(string name) => $"Hello, {name}";
}

/// <summary>Waits for the Finish signal and completes with its value; the UI's signal form must get it there.</summary>
[Workflow]
public sealed class AwaitSignalWorkflow
{
    private string? _value;

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        await Workflow.WaitConditionAsync(() => _value is not null);
        return _value!;
    }

    [WorkflowSignal]
    public Task FinishAsync(string value)
    {
        _value = value;
        return Task.CompletedTask;
    }

    [WorkflowQuery]
    public string State() => _value is null ? "waiting for Finish" : "finished";
}

/// <summary>Fails at once with a recognizable message.</summary>
[Workflow]
public sealed class FailingWorkflow
{
    public const string Message = "order 42 has no shipping address";

    [WorkflowRun]
    public Task RunAsync() => throw new ApplicationFailureException(Message, "InvalidOrder", nonRetryable: true);
}

/// <summary>
/// An activity, a timer, a child and a signal before it finishes: a reset from the UI to the task after the child ran
/// must carry on without running them again.
/// </summary>
[Workflow]
public sealed class JourneyWorkflow
{
    private bool _go;

    [WorkflowRun]
    public async Task<string> RunAsync(string name)
    {
        var greeting = await Workflow.ExecuteActivityAsync(() => GreetingActivities.Greet(name), new() { StartToCloseTimeout = TimeSpan.FromSeconds(30) });
        await Workflow.DelayAsync(TimeSpan.FromMilliseconds(10));
        var child = await Workflow.ExecuteChildWorkflowAsync((GreetingWorkflow wf) => wf.RunAsync("child of " + name),
            new() { Id = Workflow.Info.WorkflowId + "-child" });
        await Workflow.WaitConditionAsync(() => _go);
        return $"{greeting} / {child}";
    }

    [WorkflowSignal]
    public Task GoAsync()
    {
        _go = true;
        return Task.CompletedTask;
    }
}


/// <summary>Runs one activity that heartbeats until it is canceled: a pending activity to pause, unpause and reset.</summary>
[Workflow]
public sealed class PendingActivityWorkflow
{
    public const string ActivityId = "held";

    [WorkflowRun]
    public Task RunAsync() => Workflow.ExecuteActivityAsync(() => HeldActivities.HeartbeatUntilCanceledAsync(), new()
    {
        ActivityId = ActivityId,
        StartToCloseTimeout = TimeSpan.FromMinutes(5),
        HeartbeatTimeout = TimeSpan.FromSeconds(10),
    });
}

public static class HeldActivities
{
    [Activity]
    public static async Task HeartbeatUntilCanceledAsync()
    {
        var context = ActivityExecutionContext.Current;
        while (true)
        {
            context.Heartbeat();
            await Task.Delay(TimeSpan.FromMilliseconds(200), context.CancellationToken);
        }
    }
}

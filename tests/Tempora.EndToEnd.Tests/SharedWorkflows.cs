using Temporalio.Activities;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>The hello-world sample: one activity, its result is the workflow's result.</summary>
[Workflow]
public sealed class HelloWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string name) =>
        Workflow.ExecuteActivityAsync(
            (GreetingActivities a) => a.SayHello(name),
            new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
}

/// <summary>Activities of <see cref="HelloWorkflow"/>.</summary>
public sealed class GreetingActivities
{
    [Activity]
    public string SayHello(string name) => $"Hello, {name}!";
}

/// <summary>Blocks until signalled to finish; returns the value it was given.</summary>
[Workflow]
public sealed class WaitForFinishWorkflow
{
    private string? _finishValue;

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        await Workflow.WaitConditionAsync(() => _finishValue is not null);
        return _finishValue!;
    }

    [WorkflowSignal]
    public Task FinishAsync(string value)
    {
        _finishValue = value;
        return Task.CompletedTask;
    }

    [WorkflowQuery]
    public string State() => _finishValue ?? "waiting";
}

/// <summary>Waits forever (until cancelled, terminated or timed out).</summary>
[Workflow]
public sealed class WaitForeverWorkflow
{
    [WorkflowRun]
    public async Task RunAsync() => await Workflow.WaitConditionAsync(() => false);
}

/// <summary>Sleeps one hour on a durable timer.</summary>
[Workflow]
public sealed class LongSleepWorkflow
{
    [WorkflowRun]
    public async Task RunAsync() => await Workflow.DelayAsync(TimeSpan.FromHours(1));
}

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

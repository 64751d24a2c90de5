using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests.Schedules;

/// <summary>Returns at once: "first" or "after &lt;last result&gt;", so a run shows what the schedule passed it.</summary>
[Workflow("ScheduledEcho")]
public sealed class ScheduledEchoWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync()
    {
        var last = Workflow.Info.LastResult?.SingleOrDefault();
        return Task.FromResult(last is null ? "first" : $"after {(string)Workflow.PayloadConverter.ToValue(last.Payload, typeof(string))!}");
    }
}

/// <summary>Runs until signalled "release" (or cancelled): lets a test hold a scheduled run open for the overlap policies.</summary>
[Workflow("ScheduledHold")]
public sealed class ScheduledHoldWorkflow
{
    private bool _released;

    [WorkflowRun]
    public async Task<string> RunAsync()
    {
        await Workflow.WaitConditionAsync(() => _released);
        return "released";
    }

    [WorkflowSignal("release")]
    public Task ReleaseAsync()
    {
        _released = true;
        return Task.CompletedTask;
    }
}

/// <summary>Fails at once (pause on failure).</summary>
[Workflow("ScheduledFail")]
public sealed class ScheduledFailWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync() => throw new Temporalio.Exceptions.ApplicationFailureException("scheduled failure", nonRetryable: true);
}

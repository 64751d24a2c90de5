using Temporalio.Client.Schedules;

namespace Tempora.EndToEnd.Tests.Schedules;

/// <summary>
/// A process started without the worker role (SERVICES without <c>worker</c>) serves the Schedule API but fires none
/// of its schedules, as docs/schedules.md says.
/// </summary>
public sealed class ScheduleWithoutWorkerRoleTests
{
    [Fact]
    public async Task WorkerRoleOff_TheApiAnswers_ButNothingFires()
    {
        await using var own = await OwnServer.StartAsync("no-worker-role", options => options with { Worker = false });
        var id = ServerFixture.NewWorkflowId("sched-no-worker");
        var handle = await own.Client.CreateScheduleAsync(id, new Schedule(
            ScheduleActionStartWorkflow.Create((ScheduledEchoWorkflow wf) => wf.RunAsync(), new(id + "-run", "nowhere")),
            new ScheduleSpec { Intervals = [new ScheduleIntervalSpec(TimeSpan.FromSeconds(1))] }));
        await handle.TriggerAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        var description = await handle.DescribeAsync();
        Assert.Equal(0, description.Info.NumActions);
        Assert.NotEmpty(description.Info.NextActionTimes);
        await handle.DeleteAsync();
    }
}

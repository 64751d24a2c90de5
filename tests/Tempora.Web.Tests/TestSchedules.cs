using Temporalio.Client;
using Temporalio.Client.Schedules;

namespace Tempora.Web.Tests;

/// <summary>Schedules the page tests create through the SDK, each starting <see cref="GreetingWorkflow"/>.</summary>
internal static class TestSchedules
{
    /// <summary>Every day at 09:30 in Berlin, created paused (so it takes no action of its own while a test runs).</summary>
    public static Task<ScheduleHandle> CreateDailyAsync(UiServerFixture fixture, string id, bool paused = true, string note = "created paused by the test") =>
        fixture.Client.CreateScheduleAsync(id, new Schedule(
            ScheduleActionStartWorkflow.Create((GreetingWorkflow wf) => wf.RunAsync("scheduled"), new WorkflowOptions($"{id}-wf", fixture.TaskQueue)),
            new ScheduleSpec
            {
                Calendars = [new ScheduleCalendarSpec { Hour = [new ScheduleRange(9)], Minute = [new ScheduleRange(30)] }],
                TimeZoneName = "Europe/Berlin",
            })
        {
            State = new ScheduleState { Paused = paused, Note = paused ? note : null },
        });

    /// <summary>An hourly schedule, paused, for backfills: its times are known in advance.</summary>
    public static Task<ScheduleHandle> CreateHourlyAsync(UiServerFixture fixture, string id) =>
        fixture.Client.CreateScheduleAsync(id, new Schedule(
            ScheduleActionStartWorkflow.Create((GreetingWorkflow wf) => wf.RunAsync("backfilled"), new WorkflowOptions($"{id}-wf", fixture.TaskQueue)),
            new ScheduleSpec { Intervals = [new ScheduleIntervalSpec(TimeSpan.FromHours(1))] })
        {
            State = new ScheduleState { Paused = true, Note = "backfill only" },
        });

    /// <summary>Waits for a condition on the schedule's description (its actions run asynchronously).</summary>
    public static async Task<ScheduleDescription> WaitForAsync(ScheduleHandle handle, Func<ScheduleDescription, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var description = await handle.DescribeAsync();
            if (condition(description))
            {
                return description;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Schedule {handle.Id} did not reach the expected state in 30 s.");
            }
            await Task.Delay(200);
        }
    }
}

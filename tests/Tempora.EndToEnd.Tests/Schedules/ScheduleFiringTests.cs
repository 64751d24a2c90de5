using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests.Schedules;

/// <summary>
/// Schedules firing against a real worker: due times, the ids and search attributes of scheduled workflows, triggers
/// under every overlap policy, backfills, limited actions, pause on failure and the last result passed on.
/// </summary>
[Collection(ScheduleCollection.Name)]
public sealed class ScheduleFiringTests(ServerFixture fixture)
{
    private static readonly SearchAttributeKey<string> ScheduledById = SearchAttributeKey.CreateKeyword("TemporalScheduledById");
    private static readonly SearchAttributeKey<DateTimeOffset> ScheduledStartTime = SearchAttributeKey.CreateDateTimeOffset("TemporalScheduledStartTime");

    private TemporalClient Client => fixture.Client;

    private static TemporalWorker NewWorker(TemporalClient client, string taskQueue) => new(client, new TemporalWorkerOptions(taskQueue)
        .AddWorkflow<ScheduledEchoWorkflow>().AddWorkflow<ScheduledHoldWorkflow>().AddWorkflow<ScheduledFailWorkflow>());

    [Fact]
    public async Task Interval_StartsOneWorkflowPerDueTime_NamedAndTaggedAsTemporalDoes()
    {
        var taskQueue = ServerFixture.NewTaskQueue("sched");
        var id = ServerFixture.NewWorkflowId("sched-interval");
        using var worker = NewWorker(Client, taskQueue);
        using var http = new HttpClient();
        // The schedule is driven by the owner of its shard: on a cluster, any replica; its metrics are that one's.
        async Task<double> SumAsync(string series)
        {
            var sum = 0.0;
            foreach (var server in fixture.AllServers)
            {
                sum += (await ObservabilityScrape.ScrapeAsync(http, server.MetricsAddress)).Value(series);
            }
            return sum;
        }
        const string Success = "schedule_action_success{namespace=\"default\"}";
        const string Delays = "schedule_action_delay_count{namespace=\"default\"}";
        var (successBefore, delaysBefore) = (await SumAsync(Success), await SumAsync(Delays));
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.CreateScheduleAsync(id, new Schedule(
                ScheduleActionStartWorkflow.Create((ScheduledEchoWorkflow wf) => wf.RunAsync(), new(id + "-run", taskQueue)),
                new ScheduleSpec { Intervals = [new ScheduleIntervalSpec(TimeSpan.FromSeconds(2))] }));
            var description = await Wait.UntilAsync(() => handle.DescribeAsync(), d => d.Info.NumActions >= 2, "two due times to fire");
            await handle.PauseAsync();
            description = await handle.DescribeAsync();

            // Temporal's scheduler metrics: one success and one delay sample per start.
            Assert.True(await SumAsync(Success) - successBefore >= description.Info.NumActions, "schedule_action_success");
            Assert.True(await SumAsync(Delays) - delaysBefore >= description.Info.NumActions, "schedule_action_delay");

            foreach (var action in description.Info.RecentActions)
            {
                // Due times of a 2 s interval are whole even seconds since the epoch.
                Assert.Equal(0, action.ScheduledAt.Ticks % TimeSpan.FromSeconds(2).Ticks);
                Assert.True(action.StartedAt >= action.ScheduledAt);
                var run = Assert.IsType<ScheduleActionExecutionStartWorkflow>(action.Action);
                Assert.Equal($"{id}-run-{action.ScheduledAt:yyyy-MM-ddTHH:mm:ssZ}", run.WorkflowId);
                var workflow = await Client.GetWorkflowHandle(run.WorkflowId, run.FirstExecutionRunId).DescribeAsync();
                Assert.Equal(id, workflow.TypedSearchAttributes.Get(ScheduledById));
                Assert.Equal(new DateTimeOffset(action.ScheduledAt), workflow.TypedSearchAttributes.Get(ScheduledStartTime));
            }
            var scheduled = description.Info.RecentActions.Select(a => a.ScheduledAt).ToList();
            Assert.Equal(scheduled.Count, scheduled.Distinct().Count());
            await handle.DeleteAsync();
        });
    }

    [Fact]
    public async Task TriggerTwice_TheSecondRunGetsTheFirstRunsResult()
    {
        var taskQueue = ServerFixture.NewTaskQueue("sched");
        var id = ServerFixture.NewWorkflowId("sched-last");
        using var worker = NewWorker(Client, taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.CreateScheduleAsync(id, new Schedule(
                ScheduleActionStartWorkflow.Create((ScheduledEchoWorkflow wf) => wf.RunAsync(), new(id + "-run", taskQueue)),
                new ScheduleSpec())
            { State = new ScheduleState { Paused = true } });
            await handle.TriggerAsync();
            Assert.Equal(["first"], await Wait.UntilAsync(() => ResultsAsync(handle), r => r.Count == 1, "the first run's result"));
            await handle.TriggerAsync();
            Assert.Equal(["first", "after first"], await Wait.UntilAsync(() => ResultsAsync(handle), r => r.Count == 2, "the second run's result"));
            await handle.DeleteAsync();
        });
    }

    [Theory]
    [InlineData(ScheduleOverlapPolicy.Skip)]
    [InlineData(ScheduleOverlapPolicy.BufferOne)]
    [InlineData(ScheduleOverlapPolicy.BufferAll)]
    [InlineData(ScheduleOverlapPolicy.CancelOther)]
    [InlineData(ScheduleOverlapPolicy.TerminateOther)]
    [InlineData(ScheduleOverlapPolicy.AllowAll)]
    public async Task ThreeTriggersWhileTheFirstRunHolds_TheOverlapPolicyDecides(ScheduleOverlapPolicy policy)
    {
        var taskQueue = ServerFixture.NewTaskQueue("sched");
        var id = ServerFixture.NewWorkflowId($"sched-{policy}");
        using var worker = NewWorker(Client, taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.CreateScheduleAsync(id, new Schedule(
                ScheduleActionStartWorkflow.Create((ScheduledHoldWorkflow wf) => wf.RunAsync(), new(id + "-run", taskQueue)),
                new ScheduleSpec())
            {
                Policy = new SchedulePolicy { Overlap = policy },
                State = new ScheduleState { Paused = true },
            });
            await handle.TriggerAsync();
            // Allow-all runs are not tracked as running (as on Temporal): find the first among the recent actions.
            var first = (await Wait.UntilAsync(() => handle.DescribeAsync(), d => d.Info.RecentActions.Count == 1, "the first run"))
                .Info.RecentActions.Select(a => a.Action).OfType<ScheduleActionExecutionStartWorkflow>().First();
            // Triggers a second apart: the workflow id carries the time to the second, so each is a distinct run.
            await Task.Delay(1100);
            await handle.TriggerAsync();
            await Task.Delay(1100);
            await handle.TriggerAsync();

            var expectedActions = policy switch
            {
                ScheduleOverlapPolicy.Skip or ScheduleOverlapPolicy.BufferOne or ScheduleOverlapPolicy.BufferAll => 1,
                _ => 3,
            };
            var description = await Wait.UntilAsync(() => handle.DescribeAsync(), d => d.Info.NumActions == expectedActions,
                $"{expectedActions} actions under {policy}");
            var firstStatus = (await Client.GetWorkflowHandle(first.WorkflowId, first.FirstExecutionRunId).DescribeAsync()).Status;
            switch (policy)
            {
                case ScheduleOverlapPolicy.Skip:
                    Assert.Equal(2, description.Info.NumActionsSkippedOverlap);
                    await ReleaseAsync(first);
                    await Task.Delay(1500);
                    Assert.Equal(1, (await handle.DescribeAsync()).Info.NumActions); // skipped ones stay skipped
                    break;
                case ScheduleOverlapPolicy.BufferOne:
                    // One is buffered, the third replaced nothing and was dropped.
                    Assert.Equal(WorkflowExecutionStatus.Running, firstStatus);
                    await ReleaseAsync(first);
                    var second = (await Wait.UntilAsync(() => handle.DescribeAsync(), d => d.Info.NumActions == 2 && d.Info.RunningActions.Count == 1,
                        "the buffered run to start")).Info.RunningActions.OfType<ScheduleActionExecutionStartWorkflow>().First();
                    await ReleaseAsync(second);
                    await Task.Delay(1500);
                    Assert.Equal(2, (await handle.DescribeAsync()).Info.NumActions);
                    break;
                case ScheduleOverlapPolicy.BufferAll:
                    var current = first;
                    for (var n = 2; n <= 3; n++)
                    {
                        await ReleaseAsync(current);
                        current = (await Wait.UntilAsync(() => handle.DescribeAsync(),
                            d => d.Info.NumActions == n && d.Info.RunningActions.Count == 1, $"buffered run {n}")).Info.RunningActions.OfType<ScheduleActionExecutionStartWorkflow>().First();
                    }
                    await ReleaseAsync(current);
                    break;
                case ScheduleOverlapPolicy.CancelOther:
                case ScheduleOverlapPolicy.TerminateOther:
                    var ended = policy == ScheduleOverlapPolicy.CancelOther ? WorkflowExecutionStatus.Canceled : WorkflowExecutionStatus.Terminated;
                    await Wait.UntilAsync(async () => (await Client.GetWorkflowHandle(first.WorkflowId, first.FirstExecutionRunId).DescribeAsync()).Status,
                        s => s == ended, $"the first run to be {ended}");
                    var last = (await Wait.UntilAsync(() => handle.DescribeAsync(), d => d.Info.RunningActions.Count == 1, "one run left")).Info.RunningActions.OfType<ScheduleActionExecutionStartWorkflow>().First();
                    await ReleaseAsync(last);
                    break;
                case ScheduleOverlapPolicy.AllowAll:
                    var runs = description.Info.RecentActions.Select(a => a.Action).OfType<ScheduleActionExecutionStartWorkflow>().ToList();
                    Assert.Equal(3, runs.Count);
                    foreach (var run in runs)
                    {
                        Assert.Equal(WorkflowExecutionStatus.Running, (await Client.GetWorkflowHandle(run.WorkflowId, run.FirstExecutionRunId).DescribeAsync()).Status);
                        await ReleaseAsync(run);
                    }
                    break;
            }
            await handle.DeleteAsync();
        });
    }

    [Fact]
    public async Task Backfill_StartsOneRunPerDueTimeInTheRange()
    {
        var taskQueue = ServerFixture.NewTaskQueue("sched");
        var id = ServerFixture.NewWorkflowId("sched-backfill");
        using var worker = NewWorker(Client, taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var now = DateTime.UtcNow;
            now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMinute));
            var handle = await Client.CreateScheduleAsync(id, new Schedule(
                ScheduleActionStartWorkflow.Create((ScheduledEchoWorkflow wf) => wf.RunAsync(), new(id + "-run", taskQueue)),
                new ScheduleSpec { Intervals = [new ScheduleIntervalSpec(TimeSpan.FromMinutes(1))] })
            { State = new ScheduleState { Paused = true } },
            new ScheduleOptions
            {
                // 61 s from one second before a minute: two due times.
                Backfills = [new ScheduleBackfill(now - TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1), now - TimeSpan.FromMinutes(9),
                    ScheduleOverlapPolicy.AllowAll)],
            });
            Assert.Equal(2, (await handle.DescribeAsync()).Info.NumActions);
            await handle.BackfillAsync([new ScheduleBackfill(now - TimeSpan.FromMinutes(4), now - TimeSpan.FromMinutes(2), ScheduleOverlapPolicy.AllowAll)]);
            var description = await handle.DescribeAsync();
            Assert.Equal(5, description.Info.NumActions);
            var scheduled = description.Info.RecentActions.Select(a => a.ScheduledAt).OrderBy(t => t).ToList();
            Assert.Equal(
                [now.AddMinutes(-10), now.AddMinutes(-9), now.AddMinutes(-4), now.AddMinutes(-3), now.AddMinutes(-2)],
                scheduled);
            await handle.DeleteAsync();
        });
    }

    [Fact]
    public async Task LimitedActions_StopAfterTheLastOne()
    {
        var taskQueue = ServerFixture.NewTaskQueue("sched");
        var id = ServerFixture.NewWorkflowId("sched-limited");
        using var worker = NewWorker(Client, taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.CreateScheduleAsync(id, new Schedule(
                ScheduleActionStartWorkflow.Create((ScheduledEchoWorkflow wf) => wf.RunAsync(), new(id + "-run", taskQueue)),
                new ScheduleSpec { Intervals = [new ScheduleIntervalSpec(TimeSpan.FromSeconds(1))] })
            {
                Policy = new SchedulePolicy { Overlap = ScheduleOverlapPolicy.AllowAll },
                State = new ScheduleState { LimitedActions = true, RemainingActions = 2 },
            });
            var done = await Wait.UntilAsync(() => handle.DescribeAsync(), d => d.Info.NumActions == 2, "two actions");
            await Task.Delay(2500);
            var after = await handle.DescribeAsync();
            Assert.Equal(2, after.Info.NumActions);
            Assert.Equal(0, after.Schedule.State.RemainingActions);
            Assert.Empty(after.Info.NextActionTimes);
            Assert.Equal(2, done.Info.RecentActions.Count);
            await handle.DeleteAsync();
        });
    }

    [Fact]
    public async Task PauseOnFailure_AFailedRunPausesTheSchedule()
    {
        var taskQueue = ServerFixture.NewTaskQueue("sched");
        var id = ServerFixture.NewWorkflowId("sched-fail");
        using var worker = NewWorker(Client, taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.CreateScheduleAsync(id, new Schedule(
                ScheduleActionStartWorkflow.Create((ScheduledFailWorkflow wf) => wf.RunAsync(), new(id + "-run", taskQueue)),
                new ScheduleSpec { Intervals = [new ScheduleIntervalSpec(TimeSpan.FromHours(1))] })
            {
                Policy = new SchedulePolicy { PauseOnFailure = true },
            });
            await handle.TriggerAsync();
            var paused = await Wait.UntilAsync(() => handle.DescribeAsync(), d => d.Schedule.State.Paused, "the schedule to pause itself");
            Assert.False(string.IsNullOrEmpty(paused.Schedule.State.Note));
            var action = Assert.Single(paused.Info.RecentActions);
            Assert.Equal(1, paused.Info.NumActions);
            var run = Assert.IsType<ScheduleActionExecutionStartWorkflow>(action.Action);
            Assert.Equal(WorkflowExecutionStatus.Failed,
                (await Client.GetWorkflowHandle(run.WorkflowId, run.FirstExecutionRunId).DescribeAsync()).Status);
            await handle.DeleteAsync();
        });
    }

    private Task ReleaseAsync(ScheduleActionExecutionStartWorkflow run) =>
        Client.GetWorkflowHandle(run.WorkflowId, run.FirstExecutionRunId).SignalAsync("release", []);

    private async Task<List<string>> ResultsAsync(ScheduleHandle handle)
    {
        var description = await handle.DescribeAsync();
        var results = new List<string>();
        foreach (var action in description.Info.RecentActions.OrderBy(a => a.ScheduledAt))
        {
            var run = (ScheduleActionExecutionStartWorkflow)action.Action;
            // ResultRunId, not RunId: a handle's result follows its ResultRunId, else the id's current run (two triggers
            // in one second start two runs of one workflow id).
            results.Add(await (Client.GetWorkflowHandle(run.WorkflowId) with { ResultRunId = run.FirstExecutionRunId }).GetResultAsync<string>());
        }
        return results;
    }
}

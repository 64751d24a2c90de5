// Temporal 1.28's batch API and the legacy build-id stamp are marked obsolete in the newer Temporalio package.
#pragma warning disable CS0612, CS0618
using System.Collections.Concurrent;
using Temporalio.Api.Batch.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;
using static Tempora.EndToEnd.Tests.Batch.BatchTestKit;
using WorkflowExecution = Temporalio.Api.Common.V1.WorkflowExecution;

namespace Tempora.EndToEnd.Tests.Batch;

/// <summary>
/// Undoing a bad deploy, as the CLI's <c>temporal workflow reset --type BuildId --build-id B --query …</c> does it
/// (a batch reset with ResetOptions.build_id): every selected run that build B touched is reset to just before B's
/// first workflow task, found in the run's auto-reset points, and a fixed build redoes the work from there. Workers
/// without deployment options stamp their build id (TemporalWorkerOptions.BuildId), as the CLI's own test does.
/// </summary>
[Collection(BatchCollection.Name)]
public sealed class BatchResetByBuildIdTests(ServerFixture fixture)
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Steps = new();

    [Fact]
    public async Task ResetByBuildId_RunTheBadBuildTouched_RedoesItsWorkOnTheFixedBuild_OthersFailWithoutAPoint()
    {
        var client = await NamespaceClientAsync(fixture.Client, fixture.Server.GrpcAddress);
        var taskQueue = ServerFixture.NewTaskQueue("reset-build");
        var touched = await client.StartWorkflowAsync((StagedWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("touched"), taskQueue));
        var untouched = await client.StartWorkflowAsync((StagedWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("untouched"), taskQueue));

        // Build v1 runs the first step of both; build v2 (the bad one) runs the second step of one.
        await RunWorkerAsync(client, taskQueue, "v1", async () =>
        {
            await Wait.ForHistoryEventAsync(touched, EventType.ActivityTaskCompleted);
            await Wait.ForHistoryEventAsync(untouched, EventType.ActivityTaskCompleted);
            await WaitForTaskCompletedCountAsync(client, touched, 2);
        });
        await RunWorkerAsync(client, taskQueue, "v2", async () =>
        {
            await touched.SignalAsync(wf => wf.GoAsync());
            await Wait.UntilAsync(() => Task.FromResult(StepsOf(touched.Id).Count), n => n == 2, "the bad build's second step");
            await WaitForTaskCompletedCountAsync(client, touched, 4);
        });
        var points = (await client.Raw().DescribeWorkflowExecutionAsync(new()
        {
            Namespace = client.Options.Namespace,
            Execution = new WorkflowExecution { WorkflowId = touched.Id, RunId = touched.ResultRunId },
        })).WorkflowExecutionInfo.AutoResetPoints.Points;
        var firstOfV2 = (await EventsAsync(client, touched)).First(e => e.WorkflowTaskCompletedEventAttributes?.WorkerVersion?.BuildId == "v2");
        Assert.Equal(["v1", "v2"], points.Select(p => p.BuildId));
        Assert.Equal((firstOfV2.EventId, touched.ResultRunId, true), (points[1].FirstWorkflowTaskCompletedId, points[1].RunId, points[1].Resettable));

        var query = $"TaskQueue = '{taskQueue}'";
        await WaitListedAsync(client, query, 2);
        var jobId = ServerFixture.NewWorkflowId("job-reset-build");
        await client.Raw().StartBatchOperationAsync(Start(client, jobId, query, r => r.ResetOperation = new BatchOperationReset
        {
            Options = new ResetOptions { BuildId = "v2" },
            Identity = "operator",
        }));
        var done = await WaitClosedAsync(client, jobId);
        Assert.Equal((BatchOperationState.Completed, 2L, 1L, 1L),
            (done.State, done.TotalOperationCount, done.CompleteOperationCount, done.FailureOperationCount));

        // The touched run was reset to just before v2's first task; the untouched one has no v2 point and is as it was.
        var reset = await client.GetWorkflowHandle(touched.Id).DescribeAsync();
        Assert.NotEqual(touched.ResultRunId, reset.RunId);
        Assert.Equal(untouched.ResultRunId, (await client.GetWorkflowHandle(untouched.Id).DescribeAsync()).RunId);
        var resetEvents = await EventsAsync(client, client.GetWorkflowHandle<StagedWorkflow>(touched.Id, reset.RunId));
        var failed = resetEvents.Single(e => e.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
        Assert.Equal((WorkflowTaskFailedCause.ResetWorkflow, touched.ResultRunId), (failed.Cause, failed.BaseRunId));
        Assert.DoesNotContain(resetEvents, e => e.WorkflowTaskCompletedEventAttributes?.WorkerVersion?.BuildId == "v2");

        // The fixed build takes over where v1 left off: the second step runs again, the first does not.
        await RunWorkerAsync(client, taskQueue, "v3", async () =>
        {
            await Wait.UntilAsync(() => Task.FromResult(StepsOf(touched.Id).Count), n => n == 3, "the second step redone");
            await client.GetWorkflowHandle<StagedWorkflow>(touched.Id).SignalAsync(wf => wf.FinishAsync());
            Assert.Equal("done", await client.GetWorkflowHandle<StagedWorkflow>(touched.Id).GetResultAsync<string>().WithTimeout("the reset run"));
        });
        Assert.Equal(["first by v1", "second by v2", "second by v3"], StepsOf(touched.Id));
    }

    /// <summary>
    /// The build's point lies in an earlier run of the chain (continue-as-new hands the points on): the batch resets that
    /// run, whose reset run becomes the current one, unless current_run_only is set, which fails the workflow instead.
    /// </summary>
    [Fact]
    public async Task ResetByBuildId_PointInAnEarlierRun_ResetsThatRun_UnlessCurrentRunOnly()
    {
        var client = await NamespaceClientAsync(fixture.Client, fixture.Server.GrpcAddress);
        var taskQueue = ServerFixture.NewTaskQueue("reset-build-chain");
        var handle = await client.StartWorkflowAsync((ChainWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("chain"), taskQueue));
        await RunWorkerAsync(client, taskQueue, "v1", () =>
            Wait.UntilAsync(async () => (await client.GetWorkflowHandle(handle.Id).DescribeAsync()).RunId, r => r != handle.ResultRunId, "the second run"));
        var second = await client.GetWorkflowHandle(handle.Id).DescribeAsync();
        await Wait.ForHistoryEventAsync(client.GetWorkflowHandle(handle.Id, second.RunId), EventType.WorkflowTaskScheduled);
        var query = $"WorkflowId = '{handle.Id}' AND ExecutionStatus = 'Running'";
        await WaitListedAsync(client, query, 1);

        var refusedJob = ServerFixture.NewWorkflowId("job-current-only");
        await client.Raw().StartBatchOperationAsync(Start(client, refusedJob, query, r => r.ResetOperation = new BatchOperationReset
        {
            Options = new ResetOptions { BuildId = "v1", CurrentRunOnly = true },
        }));
        Assert.Equal((1L, 0L, 1L), await CountsAsync(client, refusedJob));
        Assert.Equal(second.RunId, (await client.GetWorkflowHandle(handle.Id).DescribeAsync()).RunId);

        var job = ServerFixture.NewWorkflowId("job-earlier-run");
        await client.Raw().StartBatchOperationAsync(Start(client, job, query, r => r.ResetOperation = new BatchOperationReset
        {
            Options = new ResetOptions { BuildId = "v1" },
        }));
        Assert.Equal((1L, 1L, 0L), await CountsAsync(client, job));
        var current = await client.GetWorkflowHandle(handle.Id).DescribeAsync();
        var failed = (await EventsAsync(client, client.GetWorkflowHandle(handle.Id, current.RunId)))
            .Single(e => e.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
        Assert.Equal((WorkflowTaskFailedCause.ResetWorkflow, handle.ResultRunId), (failed.Cause, failed.BaseRunId));
        Assert.Equal(Temporalio.Api.Enums.V1.WorkflowExecutionStatus.Terminated, (await client.GetWorkflowHandle(handle.Id, second.RunId).DescribeAsync()).Status);
    }

    private static async Task<(long Total, long Completed, long Failed)> CountsAsync(TemporalClient client, string jobId)
    {
        var done = await WaitClosedAsync(client, jobId);
        return (done.TotalOperationCount, done.CompleteOperationCount, done.FailureOperationCount);
    }

    private static List<string> StepsOf(string workflowId) => [.. Steps.GetOrAdd(workflowId, _ => new())];

    private static Task WaitForTaskCompletedCountAsync(TemporalClient client, WorkflowHandle handle, int count) =>
        Wait.UntilAsync(async () => (await EventsAsync(client, handle)).Count(e => e.EventType == EventType.WorkflowTaskCompleted),
            n => n >= count, $"{count} workflow tasks of {handle.Id} completed");

    private static async Task RunWorkerAsync(TemporalClient client, string taskQueue, string buildId, Func<Task> whileRunning)
    {
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue) { BuildId = buildId, MaxCachedWorkflows = 0 }
            .AddWorkflow<StagedWorkflow>()
            .AddWorkflow<ChainWorkflow>()
            .AddActivity(StepAsync));
        await worker.ExecuteAsync(whileRunning);
    }

    [Temporalio.Activities.Activity("Step")]
    private static Task StepAsync(string step)
    {
        var info = Temporalio.Activities.ActivityExecutionContext.Current.Info;
        Steps.GetOrAdd(info.WorkflowId!, _ => new()).Enqueue(step);
        return Task.CompletedTask;
    }

    /// <summary>Continues as new once, then waits.</summary>
    [Workflow]
    public sealed class ChainWorkflow
    {
        [WorkflowRun]
        public async Task RunAsync()
        {
            if (Workflow.Info.ContinuedRunId is null)
            {
                await Workflow.DelayAsync(TimeSpan.FromMilliseconds(10));
                throw Workflow.CreateContinueAsNewException((ChainWorkflow wf) => wf.RunAsync());
            }
            await Workflow.WaitConditionAsync(() => false);
        }
    }

    /// <summary>A first step, then (on a signal) a second, then waits to be told to finish; each step names the build
    /// that ran it.</summary>
    [Workflow]
    public sealed class StagedWorkflow
    {
        private bool _go;
        private bool _finish;

        [WorkflowRun]
        public async Task<string> RunAsync()
        {
            var options = new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(30) };
            await Workflow.ExecuteActivityAsync(() => StepAsync($"first by {Workflow.CurrentBuildId}"), options);
            await Workflow.WaitConditionAsync(() => _go);
            await Workflow.ExecuteActivityAsync(() => StepAsync($"second by {Workflow.CurrentBuildId}"), options);
            await Workflow.WaitConditionAsync(() => _finish);
            return "done";
        }

        [WorkflowSignal]
        public Task GoAsync()
        {
            _go = true;
            return Task.CompletedTask;
        }

        [WorkflowSignal]
        public Task FinishAsync()
        {
            _finish = true;
            return Task.CompletedTask;
        }
    }
}

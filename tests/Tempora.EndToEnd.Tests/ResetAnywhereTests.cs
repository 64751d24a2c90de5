using System.Collections.Concurrent;
using Temporalio.Activities;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Reset at any workflow-task point of a workflow that has run activities, a timer, a child and signals — the points
/// the CLI's `--type FirstWorkflowTask|LastWorkflowTask|LastContinuedAsNew` and the web UI pick — with what was in
/// flight at that point handled as Temporal handles it.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ResetAnywhereTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    private TemporalWorker NewWorker(string taskQueue) => new(Client, new TemporalWorkerOptions(taskQueue)
        .AddWorkflow<JourneyWorkflow>()
        .AddWorkflow<EchoChild>()
        .AddWorkflow<HeldChild>()
        .AddWorkflow<ParentOfHeldChild>()
        .AddWorkflow<UpdatableWorkflow>()
        .AddWorkflow<ContinuingWorkflow>()
        .AddActivity(JourneyActivities.Step));

    [Fact]
    public async Task Reset_LastWorkflowTask_AfterActivityTimerChildAndSignals_CarriesOnWithoutRedoingThem()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset-last");
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-last");
            var handle = await Client.StartWorkflowAsync((JourneyWorkflow wf) => wf.RunAsync(), new(id, taskQueue));
            await handle.SignalAsync(wf => wf.NoteAsync("early"));
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.Log()), log => log.Contains("child:journey"), "the journey up to the child");

            var reset = await ResetAsync(handle.Id, handle.ResultRunId!, await LastWorkflowTaskAsync(handle));
            Assert.Equal(WorkflowExecutionStatus.Terminated, (await Client.GetWorkflowHandle(id, handle.ResultRunId).DescribeAsync()).Status);
            var resetHandle = Client.GetWorkflowHandle<JourneyWorkflow>(id, reset.RunId);
            await resetHandle.SignalAsync(wf => wf.GoAsync());
            var log = await resetHandle.GetResultAsync<List<string>>().WithTimeout("the reset run to finish");

            Assert.Equal(["one", "timer", "child:journey", "go", "two"], log.Where(l => !l.StartsWith("note:", StringComparison.Ordinal)));
            Assert.Contains("note:early", log);
            Assert.Equal(1, JourneyActivities.Runs(id, "one")); // replayed from history, not run again
            var events = await resetHandle.EventsAsync();
            var failed = events.Single(e => e.EventType == EventType.WorkflowTaskFailed).WorkflowTaskFailedEventAttributes;
            Assert.Equal(WorkflowTaskFailedCause.ResetWorkflow, failed.Cause);
            Assert.Equal(handle.ResultRunId, failed.BaseRunId);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.EventId));
        });
    }

    [Fact]
    public async Task Reset_FirstWorkflowTask_RunsEverythingAgainAndReappliesLaterSignals()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset-first");
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-first");
            var handle = await Client.StartWorkflowAsync((JourneyWorkflow wf) => wf.RunAsync(), new(id, taskQueue));
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.Log()), log => log.Contains("child:journey"), "the journey up to the child");
            await handle.SignalAsync(wf => wf.NoteAsync("late"));
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.Log()), log => log.Contains("note:late"), "the late note");

            var reset = await ResetAsync(handle.Id, handle.ResultRunId!, await FirstWorkflowTaskAsync(handle));
            var resetHandle = Client.GetWorkflowHandle<JourneyWorkflow>(id, reset.RunId);
            await Wait.UntilAsync(() => resetHandle.QueryAsync(wf => wf.Log()), log => log.Contains("child:journey"), "the journey again");
            await resetHandle.SignalAsync(wf => wf.GoAsync());
            var log = await resetHandle.GetResultAsync<List<string>>().WithTimeout("the reset run to finish");

            // The signal sent after the reset point reaches the new run before its first workflow task; the rest happens again.
            Assert.Equal(["note:late", "one", "timer", "child:journey", "go", "two"], log);
            Assert.Equal(2, JourneyActivities.Runs(id, "one"));
        });
    }

    [Fact]
    public async Task Reset_WithActivityRunningAtResetPoint_SchedulesItAgainInTheNewRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset-activity");
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-activity");
            JourneyActivities.Hold(id, "one");
            var handle = await Client.StartWorkflowAsync((JourneyWorkflow wf) => wf.RunAsync(), new(id, taskQueue));
            await Wait.UntilAsync(() => Task.FromResult(JourneyActivities.Runs(id, "one")), n => n == 1, "the first attempt to start");
            // A workflow task completes while the activity runs, so that the reset point has it pending.
            await handle.SignalAsync(wf => wf.NoteAsync("while running"));
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.Log()), log => log.Contains("note:while running"), "the note");
            Assert.Equal(PendingActivityState.Started, Assert.Single((await handle.DescribeRawAsync()).PendingActivities).State);

            var reset = await ResetAsync(handle.Id, handle.ResultRunId!, await LastWorkflowTaskAsync(handle));
            var resetHandle = Client.GetWorkflowHandle<JourneyWorkflow>(id, reset.RunId);
            var scheduled = Assert.Single((await resetHandle.DescribeRawAsync()).PendingActivities);
            Assert.Equal(1, scheduled.Attempt);
            JourneyActivities.Release(id, "one");
            await Wait.UntilAsync(() => resetHandle.QueryAsync(wf => wf.Log()), log => log.Contains("child:journey"), "the new run's journey");
            await resetHandle.SignalAsync(wf => wf.GoAsync());
            Assert.Equal(["note:while running", "one", "timer", "child:journey", "go", "two"],
                await resetHandle.GetResultAsync<List<string>>().WithTimeout("the reset run"));
            Assert.Equal(2, JourneyActivities.Runs(id, "one")); // the attempt running at the reset point, and the new run's
        });
    }

    [Fact]
    public async Task Reset_WithChildRunningAtResetPoint_NewRunKeepsTheChildAndGetsItsResult()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset-held-child");
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-held");
            var handle = await Client.StartWorkflowAsync((ParentOfHeldChild wf) => wf.RunAsync(), new(id, taskQueue));
            var child = Client.GetWorkflowHandle<HeldChild>(id + "-child");
            await Wait.ForHistoryEventAsync(handle, EventType.ChildWorkflowExecutionStarted);
            var events = await Wait.UntilAsync(() => handle.EventsAsync(),
                h => h.Last(e => e.EventType == EventType.WorkflowTaskCompleted).EventId > h.First(e => e.EventType == EventType.ChildWorkflowExecutionStarted).EventId,
                "a workflow task after the child started");
            var childRunId = events.First(e => e.EventType == EventType.ChildWorkflowExecutionStarted)
                .ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution.RunId;

            var reset = await ResetAsync(id, handle.ResultRunId!, events.Last(e => e.EventType == EventType.WorkflowTaskCompleted).EventId);
            var resetHandle = Client.GetWorkflowHandle<ParentOfHeldChild>(id, reset.RunId);
            Assert.Equal(childRunId, Assert.Single((await resetHandle.DescribeRawAsync()).PendingChildren).RunId);

            // The child reports to the parent run it knows, which passes the report on to the run that replaced it.
            await child.SignalAsync(wf => wf.ReleaseAsync("released"));
            Assert.Equal("released", await resetHandle.GetResultAsync<string>().WithTimeout("the reset parent to get the child's result"));
            Assert.Equal(childRunId, (await child.DescribeAsync()).RunId); // the same child, not a second one
            Assert.Equal(WorkflowExecutionStatus.Completed, (await child.DescribeAsync()).Status);
        });
    }

    [Fact]
    public async Task Reset_ToBeforeTheChildStarted_TerminatesTheOldChildAndStartsItAgain()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset-child-again");
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-child-again");
            var handle = await Client.StartWorkflowAsync((ParentOfHeldChild wf) => wf.RunAsync(), new(id, taskQueue));
            await Wait.ForHistoryEventAsync(handle, EventType.ChildWorkflowExecutionStarted);
            var child = Client.GetWorkflowHandle<HeldChild>(id + "-child");
            var firstChildRun = (await child.DescribeAsync()).RunId;

            var reset = await ResetAsync(id, handle.ResultRunId!, await FirstWorkflowTaskAsync(handle));
            var resetHandle = Client.GetWorkflowHandle<ParentOfHeldChild>(id, reset.RunId);
            await Wait.UntilAsync(() => child.DescribeAsync(), d => d.RunId != firstChildRun && d.Status == WorkflowExecutionStatus.Running,
                "the reset run's own child");
            Assert.Equal(WorkflowExecutionStatus.Terminated, (await Client.GetWorkflowHandle(child.Id, firstChildRun).DescribeAsync()).Status);
            await child.SignalAsync(wf => wf.ReleaseAsync("second"));
            Assert.Equal("second", await resetHandle.GetResultAsync<string>().WithTimeout("the reset parent"));
        });
    }

    [Fact]
    public async Task Reset_ExcludeSignals_LaterSignalsAreNotReapplied()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset-exclude");
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-exclude");
            var handle = await Client.StartWorkflowAsync((JourneyWorkflow wf) => wf.RunAsync(), new(id, taskQueue));
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.Log()), log => log.Contains("child:journey"), "the journey up to the child");
            var point = await LastWorkflowTaskAsync(handle);
            await handle.SignalAsync(wf => wf.NoteAsync("after the point"));
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.Log()), log => log.Contains("note:after the point"), "the note");

            var excluded = await ResetAsync(id, handle.ResultRunId!, point, r => r.ResetReapplyExcludeTypes.Add(ResetReapplyExcludeType.Signal));
            var excludedHandle = Client.GetWorkflowHandle<JourneyWorkflow>(id, excluded.RunId);
            await excludedHandle.SignalAsync(wf => wf.GoAsync());
            Assert.DoesNotContain("note:after the point", await excludedHandle.GetResultAsync<List<string>>().WithTimeout("the reset run"));
            Assert.DoesNotContain(await excludedHandle.EventsAsync(), e => e.WorkflowExecutionSignaledEventAttributes?.SignalName == "Note");
        });
    }

    [Fact]
    public async Task Reset_UpdateAfterResetPoint_IsReappliedAsAdmittedAndCompletesInTheNewRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset-update");
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-update");
            var handle = await Client.StartWorkflowAsync((UpdatableWorkflow wf) => wf.RunAsync(), new(id, taskQueue));
            await handle.ExecuteUpdateAsync(wf => wf.AddAsync("a"));
            await handle.SignalAsync(wf => wf.PokeAsync());
            var point = (await Wait.UntilAsync(() => handle.EventsAsync(),
                h => h.Last().EventType == EventType.WorkflowTaskCompleted, "the poke's workflow task")).Last().EventId;
            Assert.Equal(2, await handle.ExecuteUpdateAsync(wf => wf.AddAsync("b")));

            var reset = await ResetAsync(id, handle.ResultRunId!, point);
            var resetHandle = Client.GetWorkflowHandle<UpdatableWorkflow>(id, reset.RunId);
            await Wait.UntilAsync(() => resetHandle.QueryAsync(wf => wf.Items()), items => items.Count == 2, "the update to be applied again");
            var events = await resetHandle.EventsAsync();
            var admitted = events.Single(e => e.EventType == EventType.WorkflowExecutionUpdateAdmitted).WorkflowExecutionUpdateAdmittedEventAttributes;
            Assert.Equal(UpdateAdmittedEventOrigin.Reapply, admitted.Origin);
            Assert.Contains(events, e => e.EventType == EventType.WorkflowExecutionUpdateCompleted && e.EventId > point);
            await resetHandle.SignalAsync(wf => wf.FinishAsync());
            Assert.Equal(["a", "b"], await resetHandle.GetResultAsync<List<string>>().WithTimeout("the reset run"));

            var excluded = await ResetAsync(id, reset.RunId, point, r => r.ResetReapplyExcludeTypes.Add(ResetReapplyExcludeType.Update));
            var excludedHandle = Client.GetWorkflowHandle<UpdatableWorkflow>(id, excluded.RunId);
            await excludedHandle.SignalAsync(wf => wf.FinishAsync());
            Assert.Equal(["a"], await excludedHandle.GetResultAsync<List<string>>().WithTimeout("the run reset without updates"));
        });
    }

    [Fact]
    public async Task Reset_LastContinuedAsNew_ResetsThePreviousRunAndTerminatesTheCurrentOne()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset-can");
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-can");
            var handle = await Client.StartWorkflowAsync((ContinuingWorkflow wf) => wf.RunAsync(0), new(id, taskQueue));
            var current = Client.GetWorkflowHandle<ContinuingWorkflow>(id);
            var description = await Wait.UntilAsync(() => current.DescribeAsync(), d => d.RunId != handle.ResultRunId, "the continued run");
            await Wait.UntilAsync(() => current.QueryAsync(wf => wf.Generation()), g => g == 1, "the second run to start");
            await current.SignalAsync(wf => wf.NoteAsync("to the second run"));

            // As `temporal workflow reset --type LastContinuedAsNew` does: the previous run at its last workflow task.
            var previous = Client.GetWorkflowHandle(id, handle.ResultRunId);
            var reset = await ResetAsync(id, handle.ResultRunId!, await LastWorkflowTaskAsync(previous));
            Assert.Equal(WorkflowExecutionStatus.Terminated, (await Client.GetWorkflowHandle(id, description.RunId).DescribeAsync()).Status);

            // The first run continues as new again; the signal the second run got was carried into the reset run.
            var resetEvents = await Client.GetWorkflowHandle(id, reset.RunId).EventsAsync();
            Assert.Contains(resetEvents, e => e.WorkflowExecutionSignaledEventAttributes?.SignalName == "Note");
            await Wait.UntilAsync(() => current.DescribeAsync(), d => d.RunId != reset.RunId, "the reset run to continue as new");
            await current.SignalAsync(wf => wf.NoteAsync("finish"));
            Assert.Equal(1, await current.GetResultAsync<int>().WithTimeout("the chain to finish"));
        });
    }

    [Fact]
    public async Task Reset_CompletedWorkflow_StartsANewCurrentRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset-closed");
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-closed");
            var handle = await Client.StartWorkflowAsync((JourneyWorkflow wf) => wf.RunAsync(), new(id, taskQueue));
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.Log()), log => log.Contains("child:journey"), "the journey up to the child");
            await handle.SignalAsync(wf => wf.GoAsync());
            await handle.GetResultAsync();

            // The workflow task that scheduled the last activity: the new run schedules it again and completes by itself.
            var reset = await ResetAsync(id, handle.ResultRunId!, await LastWorkflowTaskAsync(handle, skipLast: 1));
            Assert.Equal(WorkflowExecutionStatus.Completed, (await Client.GetWorkflowHandle(id, handle.ResultRunId).DescribeAsync()).Status);
            var resetHandle = Client.GetWorkflowHandle<JourneyWorkflow>(id, reset.RunId);
            Assert.Equal(["one", "timer", "child:journey", "go", "two"], await resetHandle.GetResultAsync<List<string>>().WithTimeout("the new run"));
        });
    }

    [Fact]
    public async Task Reset_PostResetSignal_ReachesTheNewRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset-post");
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-post");
            var handle = await Client.StartWorkflowAsync((JourneyWorkflow wf) => wf.RunAsync(), new(id, taskQueue));
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.Log()), log => log.Contains("child:journey"), "the journey up to the child");
            var reset = await ResetAsync(id, handle.ResultRunId!, await LastWorkflowTaskAsync(handle), r => r.PostResetOperations.Add(
                new PostResetOperation { SignalWorkflow = new() { SignalName = "Go" } }));
            var resetHandle = Client.GetWorkflowHandle<JourneyWorkflow>(id, reset.RunId);
            // The signal is delivered together with the child's result, in the new run's first workflow task.
            var log = await resetHandle.GetResultAsync<List<string>>().WithTimeout("the new run");
            Assert.Equal(["child:journey", "go", "one", "timer", "two"], log.Order(StringComparer.Ordinal));
            Assert.Equal("two", log[^1]);
            Assert.Equal(EventType.WorkflowExecutionSignaled,
                (await resetHandle.EventsAsync()).Single(e => e.WorkflowExecutionSignaledEventAttributes?.SignalName == "Go").EventType);

            // A post-reset options change is checked as UpdateWorkflowExecutionOptions is (RunVersioningTests applies one).
            var refused = await Assert.ThrowsAsync<RpcException>(() => ResetAsync(id, reset.RunId, 4, r => r.PostResetOperations.Add(
                new PostResetOperation { UpdateWorkflowOptions = new() { WorkflowExecutionOptions = new() { VersioningOverride = new() } } })));
            Assert.Equal(RpcException.StatusCode.InvalidArgument, refused.Code);
            Assert.Contains("override behavior is required", refused.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Reset_SameRequestIdTwice_AnswersTheSameRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue("reset-dedup");
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-dedup");
            var handle = await Client.StartWorkflowAsync((JourneyWorkflow wf) => wf.RunAsync(), new(id, taskQueue));
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.Log()), log => log.Contains("child:journey"), "the journey up to the child");
            var point = await LastWorkflowTaskAsync(handle);
            var requestId = Guid.NewGuid().ToString();
            var first = await ResetAsync(id, handle.ResultRunId!, point, r => r.RequestId = requestId);
            var again = await ResetAsync(id, handle.ResultRunId!, point, r => r.RequestId = requestId);
            Assert.Equal(first.RunId, again.RunId);
            await Client.GetWorkflowHandle(id).TerminateAsync("done");
        });
    }

    [Fact]
    public async Task Reset_UnknownWorkflowOrRun_IsNotFound_AndABadPointIsInvalid()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => ResetAsync(ServerFixture.NewWorkflowId("nobody"), "", 4));
        Assert.Equal(RpcException.StatusCode.NotFound, missing.Code);

        var taskQueue = ServerFixture.NewTaskQueue("reset-unknown");
        using var worker = NewWorker(taskQueue);
        await worker.ExecuteAsync(async () =>
        {
            var id = ServerFixture.NewWorkflowId("reset-unknown");
            var handle = await Client.StartWorkflowAsync((JourneyWorkflow wf) => wf.RunAsync(), new(id, taskQueue));
            await Wait.UntilAsync(() => handle.QueryAsync(wf => wf.Log()), log => log.Contains("child:journey"), "the journey up to the child");
            var unknownRun = await Assert.ThrowsAsync<RpcException>(() => ResetAsync(id, Guid.NewGuid().ToString(), 4));
            Assert.Equal(RpcException.StatusCode.NotFound, unknownRun.Code);
            // Before the first event, past the last, and just after a completed workflow task (no task pending there).
            foreach (var bad in new[] { 1, 10_000, await LastWorkflowTaskAsync(handle) + 1 })
            {
                var invalid = await Assert.ThrowsAsync<RpcException>(() => ResetAsync(id, handle.ResultRunId!, bad));
                Assert.Equal(RpcException.StatusCode.InvalidArgument, invalid.Code);
            }
            await handle.TerminateAsync("done");
        });
    }

    /// <summary>As the CLI's LastWorkflowTask: the newest WorkflowTaskCompleted (optionally skipping the newest ones).</summary>
    private static async Task<long> LastWorkflowTaskAsync(WorkflowHandle handle, int skipLast = 0) =>
        (await handle.EventsAsync()).Where(e => e.EventType == EventType.WorkflowTaskCompleted).Reverse().Skip(skipLast).First().EventId;

    /// <summary>As the CLI's FirstWorkflowTask: the first WorkflowTaskCompleted.</summary>
    private static async Task<long> FirstWorkflowTaskAsync(WorkflowHandle handle) =>
        (await handle.EventsAsync()).First(e => e.EventType == EventType.WorkflowTaskCompleted).EventId;

    private Task<ResetWorkflowExecutionResponse> ResetAsync(string id, string runId, long eventId, Action<ResetWorkflowExecutionRequest>? configure = null)
    {
        var request = new ResetWorkflowExecutionRequest
        {
            Namespace = Client.Options.Namespace,
            WorkflowExecution = new() { WorkflowId = id, RunId = runId },
            WorkflowTaskFinishEventId = eventId,
            RequestId = Guid.NewGuid().ToString(),
            Reason = "test reset",
        };
        configure?.Invoke(request);
        return Client.Connection.WorkflowService.ResetWorkflowExecutionAsync(request);
    }

    /// <summary>An activity that counts its runs per workflow and can be held until released.</summary>
    public static class JourneyActivities
    {
        private static readonly ConcurrentDictionary<string, int> Counts = new();
        private static readonly ConcurrentDictionary<string, TaskCompletionSource> Holds = new();

        public static int Runs(string workflowId, string step) => Counts.GetValueOrDefault($"{workflowId}/{step}");

        public static void Hold(string workflowId, string step) =>
            Holds[$"{workflowId}/{step}"] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public static void Release(string workflowId, string step) => Holds[$"{workflowId}/{step}"].TrySetResult();

        [Activity]
        public static async Task<string> Step(string step)
        {
            var key = $"{ActivityExecutionContext.Current.Info.WorkflowId}/{step}";
            Counts.AddOrUpdate(key, 1, (_, n) => n + 1);
            if (Holds.TryGetValue(key, out var hold))
            {
                await hold.Task.WaitAsync(ActivityExecutionContext.Current.CancellationToken);
            }
            return step;
        }
    }

    [Workflow]
    public class JourneyWorkflow
    {
        private readonly List<string> _log = [];
        private bool _go;

        [WorkflowRun]
        public async Task<List<string>> RunAsync()
        {
            var options = new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(30), HeartbeatTimeout = null };
            _log.Add(await Workflow.ExecuteActivityAsync(() => JourneyActivities.Step("one"), options));
            await Workflow.DelayAsync(TimeSpan.FromMilliseconds(10));
            _log.Add("timer");
            _log.Add(await Workflow.ExecuteChildWorkflowAsync((EchoChild c) => c.RunAsync("journey"),
                new() { Id = $"{Workflow.Info.WorkflowId}-echo-{Workflow.NewGuid()}" }));
            await Workflow.WaitConditionAsync(() => _go);
            _log.Add(await Workflow.ExecuteActivityAsync(() => JourneyActivities.Step("two"), options));
            return _log;
        }

        [WorkflowSignal]
        public Task GoAsync()
        {
            _go = true;
            _log.Add("go");
            return Task.CompletedTask;
        }

        [WorkflowSignal]
        public Task NoteAsync(string note)
        {
            _log.Add("note:" + note);
            return Task.CompletedTask;
        }

        [WorkflowQuery]
        public List<string> Log() => _log;
    }

    [Workflow]
    public class EchoChild
    {
        [WorkflowRun]
        public Task<string> RunAsync(string value) => Task.FromResult("child:" + value);
    }

    [Workflow]
    public class HeldChild
    {
        private string? _value;

        [WorkflowRun]
        public async Task<string> RunAsync()
        {
            await Workflow.WaitConditionAsync(() => _value is not null);
            return _value!;
        }

        [WorkflowSignal]
        public Task ReleaseAsync(string value)
        {
            _value = value;
            return Task.CompletedTask;
        }
    }

    [Workflow]
    public class ParentOfHeldChild
    {
        [WorkflowRun]
        public async Task<string> RunAsync()
        {
            var child = await Workflow.StartChildWorkflowAsync((HeldChild c) => c.RunAsync(), new() { Id = Workflow.Info.WorkflowId + "-child" });
            await Workflow.DelayAsync(TimeSpan.FromMilliseconds(1)); // one more workflow task while the child runs
            return await child.GetResultAsync();
        }
    }

    [Workflow]
    public class UpdatableWorkflow
    {
        private readonly List<string> _items = [];
        private bool _finish;

        [WorkflowRun]
        public async Task<List<string>> RunAsync()
        {
            await Workflow.WaitConditionAsync(() => _finish);
            return _items;
        }

        [WorkflowUpdate]
        public Task<int> AddAsync(string item)
        {
            _items.Add(item);
            return Task.FromResult(_items.Count);
        }

        [WorkflowSignal]
        public Task FinishAsync()
        {
            _finish = true;
            return Task.CompletedTask;
        }

        [WorkflowSignal]
        public Task PokeAsync() => Task.CompletedTask;

        [WorkflowQuery]
        public List<string> Items() => _items;
    }

    /// <summary>Continues as new once; the second run waits for a note.</summary>
    [Workflow]
    public class ContinuingWorkflow
    {
        private string? _note;
        private int _generation;

        [WorkflowRun]
        public async Task<int> RunAsync(int generation)
        {
            _generation = generation;
            if (generation == 0)
            {
                await Workflow.DelayAsync(TimeSpan.FromMilliseconds(1));
                throw Workflow.CreateContinueAsNewException((ContinuingWorkflow wf) => wf.RunAsync(1));
            }
            await Workflow.WaitConditionAsync(() => _note == "finish");
            return generation;
        }

        [WorkflowSignal]
        public Task NoteAsync(string note)
        {
            _note = note;
            return Task.CompletedTask;
        }

        [WorkflowQuery]
        public int Generation() => _generation;
    }
}

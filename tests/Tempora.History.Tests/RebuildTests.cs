using Google.Protobuf;
using Tempora.Core;
using Tempora.History.Execution;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using static Tempora.History.Tests.TransitionFixture;

namespace Tempora.History.Tests;

/// <summary>
/// Mutable state is what its history says: replaying the written events (and the buffered ones) through
/// <see cref="EventApplier"/> gives back the state live handling built, step after step.
/// </summary>
public class RebuildTests
{
    private static void AssertRebuilds(TransitionFixture f) =>
        Assert.Null(RebuildCheck.FirstDifference(f.State, MutableStateRebuilder.Rebuild(f.State, f.History, f.State.BufferedEvents)));

    [Fact]
    public void Rebuild_AfterEveryStepOfABusyRun_GivesTheStoredState()
    {
        var f = new TransitionFixture();
        f.Start();
        AssertRebuilds(f);
        f.StartWorkflowTask();
        AssertRebuilds(f);
        f.Complete(ScheduleActivity("a1"), StartTimer("t1", TimeSpan.FromMinutes(1)), StartTimer("t2", TimeSpan.FromMinutes(2)), UpsertMemo("k", "v2"));
        AssertRebuilds(f);
        var activity = f.State.Activities.Values.Single();

        // Events arriving while a workflow task runs are applied at once and written when it ends.
        f.Run(t => t.Signal("wake", null, "client", null, "", skipWorkflowTask: false));
        f.StartWorkflowTask();
        f.Run(t => t.Signal("sig", null, "client", null, "req-1", skipWorkflowTask: false));
        f.Run(t => t.StartActivity(activity, Matching(f, activity), "worker", "r"));
        f.Run(t => t.CompleteActivity(activity, new Payloads(), "worker"));
        f.Run(t => t.FireTimer("t1", f.State.Timers["t1"].StartedEventId));
        AssertRebuilds(f);
        f.Complete(new Command { CommandType = CommandType.CancelTimer, CancelTimerCommandAttributes = new() { TimerId = "t1" } });
        AssertRebuilds(f);

        // A failed task and its transient retry leave no events until the retry completes.
        f.Run(t => t.Signal("wake", null, "client", null, "", skipWorkflowTask: false));
        f.StartWorkflowTask();
        f.Run(t => t.FailWorkflowTask(e => Failed(e, f.State.WorkflowTask!)));
        AssertRebuilds(f);
        f.StartWorkflowTask();
        f.Run(t => t.FailWorkflowTask(e => Failed(e, f.State.WorkflowTask!)));
        AssertRebuilds(f);
        f.StartWorkflowTask();
        f.Complete(CompleteWorkflow());
        AssertRebuilds(f);
        Assert.Equal(WorkflowExecutionStatus.Completed, f.State.Status);
    }

    [Fact]
    public void Rebuild_StateThatDiffersFromHistory_NamesTheFirstMemberThatDiffers()
    {
        var f = new TransitionFixture();
        f.Start();
        f.StartWorkflowTask();
        f.Complete(StartTimer("t1", TimeSpan.FromMinutes(1)));
        f.State.Timers["t1"].ExpiryTime += TimeSpan.FromSeconds(1);

        var difference = RebuildCheck.FirstDifference(f.State, MutableStateRebuilder.Rebuild(f.State, f.History));

        Assert.NotNull(difference);
        Assert.StartsWith("Timers.t1.ExpiryTime: stored ", difference);
    }

    [Fact]
    public void UpsertMemo_LeavesTheStartedEventAsWritten()
    {
        var f = new TransitionFixture();
        f.Start(memo: new Memo { Fields = { ["k"] = Text("v1") } });
        var written = f.History[0].ToByteArray();
        f.StartWorkflowTask();
        f.Complete(UpsertMemo("k", "v2"), UpsertMemo("other", "x"));

        Assert.Equal(written, f.History[0].ToByteArray());
        Assert.Equal("\"v2\"", f.State.Memo!.Fields["k"].Data.ToStringUtf8());
        AssertRebuilds(f);
    }

    private static Command UpsertMemo(string key, string value) => new()
    {
        CommandType = CommandType.ModifyWorkflowProperties,
        ModifyWorkflowPropertiesCommandAttributes = new() { UpsertedMemo = new Memo { Fields = { [key] = Text(value) } } },
    };

    private static Payload Text(string value) => new()
    {
        Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
        Data = ByteString.CopyFromUtf8($"\"{value}\""),
    };

    private static MatchingTask Matching(TransitionFixture f, ActivityInfo a) =>
        new(a.TaskId, new TaskQueueKey("ns", "tq", TaskKind.Activity), "wf", f.State.RunId, a.ScheduledEventId, a.Attempt, f.Now);

    private static HistoryEvent Failed(HistoryEvent e, WorkflowTaskInfo wft)
    {
        e.EventType = EventType.WorkflowTaskFailed;
        e.WorkflowTaskFailedEventAttributes = new WorkflowTaskFailedEventAttributes
        {
            ScheduledEventId = wft.ScheduledEventId,
            StartedEventId = wft.StartedEventId,
            Cause = WorkflowTaskFailedCause.WorkflowWorkerUnhandledFailure,
            Failure = new Failure { Message = "boom" },
        };
        return e;
    }
}

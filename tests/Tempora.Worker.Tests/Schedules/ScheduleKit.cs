using Google.Protobuf.WellKnownTypes;
using Tempora.Worker.Schedules;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Schedule.V1;
using ScheduleState = Tempora.Worker.Schedules.ScheduleState;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Worker.Tests.Schedules;

/// <summary>Builds schedules with interval specs (the simplest spec) and drives them the way the runner does.</summary>
internal static class ScheduleKit
{
    public const string Namespace = "default";
    public const string ScheduleId = "sched-1";

    /// <summary>A whole minute, so every-minute times fall on it.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static CreateScheduleRequest Request(
        TimeSpan? every = null,
        ScheduleOverlapPolicy overlap = ScheduleOverlapPolicy.Unspecified,
        TimeSpan? catchupWindow = null) => new()
        {
            Namespace = Namespace,
            ScheduleId = ScheduleId,
            RequestId = "create-1",
            Schedule = new Schedule
            {
                Spec = new ScheduleSpec { Interval = { new IntervalSpec { Interval = Duration.FromTimeSpan(every ?? TimeSpan.FromMinutes(1)) } } },
                Action = new ScheduleAction
                {
                    StartWorkflow = new NewWorkflowExecutionInfo
                    {
                        WorkflowId = "wf",
                        WorkflowType = new WorkflowType { Name = "Report" },
                        TaskQueue = new TaskQueue { Name = "reports" },
                    },
                },
                Policies = new SchedulePolicies
                {
                    OverlapPolicy = overlap,
                    CatchupWindow = catchupWindow is { } w ? Duration.FromTimeSpan(w) : null,
                },
            },
        };

    public static ScheduleState Create(
        TimeSpan? every = null,
        ScheduleOverlapPolicy overlap = ScheduleOverlapPolicy.Unspecified,
        TimeSpan? catchupWindow = null) =>
        ScheduleMachine.Create(Request(every, overlap, catchupWindow), Namespace, T0);

    public static DateTimeOffset Minutes(double m) => T0.AddMinutes(m);

    public static ScheduleDecision Advance(ScheduleState state, DateTimeOffset now) =>
        ScheduleMachine.Advance(state, Namespace, ScheduleId, now);

    /// <summary>Advances and expects a start.</summary>
    public static StartEffect ExpectStart(ScheduleState state, DateTimeOffset now) =>
        Assert.IsType<StartEffect>(Advance(state, now).Effect);

    /// <summary>Advances and records the start it asks for as made.</summary>
    public static StartEffect StartNext(ScheduleState state, DateTimeOffset now)
    {
        var start = ExpectStart(state, now);
        ScheduleMachine.RecordStarted(state, start, RunId(start), now);
        return start;
    }

    /// <summary>Advances, recording every start as made, until nothing is left to do; returns the starts.</summary>
    public static List<StartEffect> StartAll(ScheduleState state, DateTimeOffset now)
    {
        var starts = new List<StartEffect>();
        while (Advance(state, now).Effect is StartEffect start)
        {
            ScheduleMachine.RecordStarted(state, start, RunId(start), now);
            starts.Add(start);
        }
        return starts;
    }

    public static string RunId(StartEffect start) => "run-" + start.Request.WorkflowId;

    public static void Close(
        ScheduleState state, StartEffect start, DateTimeOffset now,
        WorkflowExecutionStatus status = WorkflowExecutionStatus.Completed,
        Payloads? result = null, Temporalio.Api.Failure.V1.Failure? failure = null) =>
        ScheduleMachine.RecordClosed(state, new ScheduledRunClosed(start.Request.WorkflowId, RunId(start), status, now, result, failure), now);

    public static Payloads Payload(string text) => new()
    {
        Payloads_ = { new Payload { Data = Google.Protobuf.ByteString.CopyFromUtf8(text) } },
    };
}

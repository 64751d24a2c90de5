using Google.Protobuf.WellKnownTypes;
using Tempora.Worker.Schedules;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using static Tempora.Worker.Tests.Schedules.ScheduleKit;

namespace Tempora.Worker.Tests.Schedules;

public sealed class ScheduleValidationTests
{
    public static TheoryData<string, Action<CreateScheduleRequest>> BadRequests => new()
    {
        { "WorkflowId length exceeds limit.", r => r.ScheduleId = new string('s', 1000) },
        { "RequestId is not set on request.", r => r.RequestId = "" },
        { "RequestId length exceeds limit.", r => r.RequestId = new string('r', 1001) },
        { "WorkflowId length exceeds limit.", r => r.Schedule.Action.StartWorkflow.WorkflowId = new string('w', 990) },
        { "WorkflowType is not set on request.", r => r.Schedule.Action.StartWorkflow.WorkflowType = null },
        { "WorkflowType is not set on request.", r => r.Schedule.Action.StartWorkflow.WorkflowType.Name = "" },
        { "WorkflowType length exceeds limit.", r => r.Schedule.Action.StartWorkflow.WorkflowType.Name = new string('t', 1001) },
        { "taskQueue is not set", r => r.Schedule.Action.StartWorkflow.TaskQueue = null },
        { "missing task queue name", r => r.Schedule.Action.StartWorkflow.TaskQueue = new TaskQueue() },
        { "taskQueue length exceeds limit", r => r.Schedule.Action.StartWorkflow.TaskQueue.Name = new string('q', 1001) },
        { "task queue name cannot start with reserved prefix /_sys/", r => r.Schedule.Action.StartWorkflow.TaskQueue.Name = "/_sys/q/1" },
        {
            "An invalid WorkflowExecutionTimeoutSeconds is set on request.",
            r => r.Schedule.Action.StartWorkflow.WorkflowExecutionTimeout = new Duration { Seconds = -1 }
        },
        {
            "An invalid WorkflowRunTimeoutSeconds is set on request.",
            r => r.Schedule.Action.StartWorkflow.WorkflowRunTimeout = new Duration { Seconds = 1, Nanos = -1 }
        },
        {
            "An invalid WorkflowTaskTimeoutSeconds is set on request.",
            r => r.Schedule.Action.StartWorkflow.WorkflowTaskTimeout = new Duration { Nanos = -5 }
        },
        { "Scheduled workflow must not contain CronSchedule", r => r.Schedule.Action.StartWorkflow.CronSchedule = "* * * * *" },
        {
            "Scheduled workflow must not contain WorkflowIDReusePolicy",
            r => r.Schedule.Action.StartWorkflow.WorkflowIdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate
        },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Create_refuses_bad_requests_with_temporals_message(string message, Action<CreateScheduleRequest> spoil)
    {
        var request = Request();
        spoil(request);

        var error = Assert.Throws<ScheduleRequestException>(() => ScheduleMachine.Create(request, Namespace, T0));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Update_refuses_a_bad_action_and_leaves_the_schedule_as_it_was()
    {
        var state = Create();
        var update = new UpdateScheduleRequest { Schedule = Request().Schedule };
        update.Schedule.Action.StartWorkflow.CronSchedule = "@daily";

        var error = Assert.Throws<ScheduleRequestException>(() => ScheduleMachine.ApplyUpdate(state, update, Minutes(1)));

        Assert.Equal("Scheduled workflow must not contain CronSchedule", error.Message);
        Assert.Equal(1, state.ConflictToken);
        Assert.Empty(state.Schedule.Action.StartWorkflow.CronSchedule);
    }

    [Fact]
    public void Create_accepts_what_temporal_accepts()
    {
        var request = Request();
        request.Schedule.Action.StartWorkflow.WorkflowIdReusePolicy = WorkflowIdReusePolicy.AllowDuplicate;
        request.Schedule.Action.StartWorkflow.WorkflowId = "";

        var state = ScheduleMachine.Create(request, Namespace, T0);

        Assert.Equal("create-1", state.CreateRequestId);
        Assert.Equal(T0, state.LastProcessedTime);
        Assert.Equal(1, state.ConflictToken);
    }
}

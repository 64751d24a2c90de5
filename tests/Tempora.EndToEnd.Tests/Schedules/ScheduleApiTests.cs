using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests.Schedules;

/// <summary>The Schedule API through the .NET SDK's schedule client: create, describe, update, pause, delete, list, errors.</summary>
[Collection(ScheduleCollection.Name)]
public sealed class ScheduleApiTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    private static ScheduleActionStartWorkflow EchoAction(string taskQueue, string workflowId) =>
        ScheduleActionStartWorkflow.Create((ScheduledEchoWorkflow wf) => wf.RunAsync(), new(workflowId, taskQueue)
        {
            ExecutionTimeout = TimeSpan.FromHours(1),
            Memo = new Dictionary<string, object> { ["action-memo"] = "a" },
        });

    [Fact]
    public async Task Create_Describe_CronBecomesCalendar_EverythingElseAsGiven_DuplicateIdRefused()
    {
        var id = ServerFixture.NewWorkflowId("sched");
        var schedule = new Schedule(EchoAction("nowhere", id + "-wf"), new ScheduleSpec
        {
            Calendars = [new ScheduleCalendarSpec { Hour = [new ScheduleRange(9)], Minute = [new ScheduleRange(30)], Comment = "morning" }],
            Intervals = [new ScheduleIntervalSpec(TimeSpan.FromDays(10), TimeSpan.FromDays(2))],
            CronExpressions = ["0 12 * * MON"],
            Skip = [new ScheduleCalendarSpec { Year = [new ScheduleRange(2050)] }],
            StartAt = new DateTime(2060, 7, 8, 9, 10, 11, DateTimeKind.Utc),
            Jitter = TimeSpan.FromSeconds(80),
            TimeZoneName = "Europe/Berlin",
        })
        {
            Policy = new SchedulePolicy { Overlap = ScheduleOverlapPolicy.BufferOne, CatchupWindow = TimeSpan.FromMinutes(5), PauseOnFailure = true },
            State = new ScheduleState { Note = "created paused", Paused = true, LimitedActions = true, RemainingActions = 30 },
        };
        var handle = await Client.CreateScheduleAsync(id, schedule, new ScheduleOptions { Memo = new Dictionary<string, object> { ["k"] = "v" } });

        var description = await handle.DescribeAsync();
        Assert.Equal(id, description.Id);
        Assert.Equal("v", await description.Memo["k"].ToValueAsync<string>());
        var action = Assert.IsType<ScheduleActionStartWorkflow>(description.Schedule.Action);
        Assert.Equal("ScheduledEcho", action.Workflow);
        Assert.Equal(TimeSpan.FromHours(1), action.Options.ExecutionTimeout);
        var spec = description.Schedule.Spec;
        Assert.Empty(spec.CronExpressions);
        Assert.Equal(2, spec.Calendars.Count);
        Assert.Equal("morning", spec.Calendars.ElementAt(0).Comment);
        var cron = spec.Calendars.ElementAt(1);
        Assert.Equal([new ScheduleRange(12)], cron.Hour);
        Assert.Equal([new ScheduleRange(0)], cron.Minute);
        Assert.Equal([new ScheduleRange(1)], cron.DayOfWeek);
        Assert.Equal("Europe/Berlin", spec.TimeZoneName);
        Assert.Equal(TimeSpan.FromSeconds(80), spec.Jitter);
        Assert.Equal(new DateTime(2060, 7, 8, 9, 10, 11, DateTimeKind.Utc), spec.StartAt);
        Assert.Equal(ScheduleOverlapPolicy.BufferOne, description.Schedule.Policy.Overlap);
        Assert.Equal(TimeSpan.FromMinutes(5), description.Schedule.Policy.CatchupWindow);
        Assert.True(description.Schedule.Policy.PauseOnFailure);
        Assert.True(description.Schedule.State.Paused);
        Assert.Equal("created paused", description.Schedule.State.Note);
        Assert.Equal(30, description.Schedule.State.RemainingActions);
        Assert.Equal(10, description.Info.NextActionTimes.Count);
        Assert.All(description.Info.NextActionTimes, t => Assert.True(t >= new DateTime(2060, 7, 8, 9, 10, 11, DateTimeKind.Utc)));

        await Assert.ThrowsAsync<ScheduleAlreadyRunningException>(() => Client.CreateScheduleAsync(id, schedule));
        await handle.DeleteAsync();
        var gone = await Assert.ThrowsAsync<RpcException>(() => handle.DescribeAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, gone.Code);
    }

    [Fact]
    public async Task Update_ReplacesTheSchedule_AndAStaleConflictTokenIsRefused()
    {
        var id = ServerFixture.NewWorkflowId("sched-update");
        var handle = await Client.CreateScheduleAsync(id, new Schedule(EchoAction("nowhere", id + "-wf"), new ScheduleSpec())
        {
            State = new ScheduleState { Paused = true },
        });
        await handle.UpdateAsync(input =>
        {
            var action = Assert.IsType<ScheduleActionStartWorkflow>(input.Description.Schedule.Action);
            action.Options.TaskTimeout = TimeSpan.FromMinutes(7);
            return new ScheduleUpdate(input.Description.Schedule);
        });
        var description = await handle.DescribeAsync();
        Assert.Equal(TimeSpan.FromMinutes(7), Assert.IsType<ScheduleActionStartWorkflow>(description.Schedule.Action).Options.TaskTimeout);
        Assert.NotNull(description.Info.LastUpdatedAt);

        // The SDK's update sends the token its describe returned; an older one names a schedule that changed since.
        var raw = await Client.WorkflowService.DescribeScheduleAsync(new() { Namespace = "default", ScheduleId = id });
        var stale = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(stale, 1);
        var refused = await Assert.ThrowsAsync<RpcException>(() => Client.WorkflowService.UpdateScheduleAsync(new()
        {
            Namespace = "default",
            ScheduleId = id,
            Schedule = raw.Schedule,
            ConflictToken = Google.Protobuf.ByteString.CopyFrom(stale),
            RequestId = Guid.NewGuid().ToString(),
        }));
        Assert.Equal(RpcException.StatusCode.FailedPrecondition, refused.Code);
        await Client.WorkflowService.UpdateScheduleAsync(new()
        {
            Namespace = "default",
            ScheduleId = id,
            Schedule = raw.Schedule,
            ConflictToken = raw.ConflictToken,
            RequestId = Guid.NewGuid().ToString(),
        });
        await handle.DeleteAsync();
    }

    [Fact]
    public async Task PauseAndUnpause_KeepTheirNotes()
    {
        var id = ServerFixture.NewWorkflowId("sched-pause");
        var handle = await Client.CreateScheduleAsync(id, new Schedule(EchoAction("nowhere", id + "-wf"), new ScheduleSpec
        {
            Intervals = [new ScheduleIntervalSpec(TimeSpan.FromHours(1))],
        }));
        Assert.False((await handle.DescribeAsync()).Schedule.State.Paused);
        await handle.PauseAsync();
        var paused = await handle.DescribeAsync();
        Assert.True(paused.Schedule.State.Paused);
        Assert.Equal("Paused via .NET SDK", paused.Schedule.State.Note);
        await handle.UnpauseAsync("back on");
        var unpaused = await handle.DescribeAsync();
        Assert.False(unpaused.Schedule.State.Paused);
        Assert.Equal("back on", unpaused.Schedule.State.Note);
        await handle.DeleteAsync();
    }

    [Fact]
    public async Task List_FindsSchedulesBySearchAttributeAndId_AndWorkflowListsLeaveThemOut()
    {
        var id = ServerFixture.NewWorkflowId("sched-list");
        var customer = Guid.NewGuid().ToString("N");
        var attributes = new SearchAttributeCollection.Builder()
            .Set(SearchAttributeKey.CreateKeyword("CustomerId"), customer).ToSearchAttributeCollection();
        var schedule = new Schedule(EchoAction("nowhere", id + "-wf"), new ScheduleSpec()) { State = new ScheduleState { Paused = true } };
        var tagged = await Client.CreateScheduleAsync(id + "-tagged", schedule, new ScheduleOptions { TypedSearchAttributes = attributes });
        var plain = await Client.CreateScheduleAsync(id + "-plain", schedule);

        var byAttribute = await ListAsync($"CustomerId = '{customer}'");
        var entry = Assert.Single(byAttribute);
        Assert.Equal(tagged.Id, entry.Id);
        Assert.Equal(customer, entry.TypedSearchAttributes.Get(SearchAttributeKey.CreateKeyword("CustomerId")));
        var info = Assert.IsType<ScheduleListActionStartWorkflow>(entry.Schedule!.Action);
        Assert.Equal("ScheduledEcho", info.Workflow);
        Assert.True(entry.Schedule.State.Paused);

        Assert.Equal([plain.Id], (await ListAsync($"ScheduleId = '{plain.Id}'")).Select(s => s.Id));
        Assert.Equal(2, (await ListAsync($"ScheduleId STARTS_WITH '{id}'")).Count);
        Assert.True(await CountAsync($"ScheduleId STARTS_WITH '{id}'") == 2);

        // Temporal keeps schedules out of workflow lists unless the namespace division is asked for.
        Assert.Equal(0, await CountWorkflowsAsync($"WorkflowId STARTS_WITH 'temporal-sys-scheduler:{id}'"));
        Assert.Equal(2, await CountWorkflowsAsync(
            $"TemporalNamespaceDivision = 'TemporalScheduler' AND WorkflowId STARTS_WITH 'temporal-sys-scheduler:{id}'"));

        await tagged.DeleteAsync();
        await plain.DeleteAsync();
        await Wait.UntilAsync(() => ListAsync($"ScheduleId STARTS_WITH '{id}'"), l => l.Count == 0, "deleted schedules to leave the list");
    }

    [Theory]
    [InlineData("bad cron")]
    [InlineData("bad zone")]
    [InlineData("zero interval")]
    public async Task Create_BadSpec_InvalidArgument(string what)
    {
        var spec = what switch
        {
            "bad cron" => new ScheduleSpec { CronExpressions = ["61 * * * *"] },
            "bad zone" => new ScheduleSpec { Intervals = [new ScheduleIntervalSpec(TimeSpan.FromHours(1))], TimeZoneName = "Mars/Olympus_Mons" },
            _ => new ScheduleSpec { Intervals = [new ScheduleIntervalSpec(TimeSpan.Zero)] },
        };
        var id = ServerFixture.NewWorkflowId("sched-bad");
        var e = await Assert.ThrowsAsync<RpcException>(() => Client.CreateScheduleAsync(id, new Schedule(EchoAction("nowhere", id), spec)));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, e.Code);
        Assert.False(string.IsNullOrEmpty(e.Message));
        var missing = await Assert.ThrowsAsync<RpcException>(() => Client.GetScheduleHandle(id).DescribeAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, missing.Code);
    }

    [Fact]
    public async Task UnknownSchedule_NotFound_AndAPatchWithoutPatch_InvalidArgument()
    {
        var missing = Client.GetScheduleHandle(ServerFixture.NewWorkflowId("sched-missing"));
        Assert.Equal(RpcException.StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => missing.DescribeAsync())).Code);
        Assert.Equal(RpcException.StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => missing.PauseAsync())).Code);
        Assert.Equal(RpcException.StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => missing.DeleteAsync())).Code);
        var e = await Assert.ThrowsAsync<RpcException>(() => Client.WorkflowService.PatchScheduleAsync(new()
        {
            Namespace = "default",
            ScheduleId = missing.Id,
            RequestId = Guid.NewGuid().ToString(),
        }));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, e.Code);
        Assert.Equal("Patch is not set on request.", e.Message);
    }

    [Fact]
    public async Task Create_WithFieldsThisServerDoesNotHonour_IsRefusedNamingThem()
    {
        var id = ServerFixture.NewWorkflowId("sched-refused");
        var raw = new Temporalio.Api.WorkflowService.V1.CreateScheduleRequest
        {
            Namespace = "default",
            ScheduleId = id,
            RequestId = Guid.NewGuid().ToString(),
            Schedule = new Temporalio.Api.Schedule.V1.Schedule
            {
                Spec = new Temporalio.Api.Schedule.V1.ScheduleSpec(),
                Action = new Temporalio.Api.Schedule.V1.ScheduleAction
                {
                    StartWorkflow = new Temporalio.Api.Workflow.V1.NewWorkflowExecutionInfo
                    {
                        WorkflowId = id,
                        WorkflowType = new() { Name = "ScheduledEcho" },
                        TaskQueue = new() { Name = "nowhere" },
                    },
                },
                Policies = new Temporalio.Api.Schedule.V1.SchedulePolicies { KeepOriginalWorkflowId = true },
            },
        };
        var keep = await Assert.ThrowsAsync<RpcException>(() => Client.WorkflowService.CreateScheduleAsync(raw));
        Assert.Equal(RpcException.StatusCode.Unimplemented, keep.Code);
        Assert.Contains("keep_original_workflow_id", keep.Message, StringComparison.Ordinal);

        raw.Schedule.Policies.KeepOriginalWorkflowId = false;
        raw.Schedule.Spec.TimezoneData = Google.Protobuf.ByteString.CopyFromUtf8("TZif");
        var zoneData = await Assert.ThrowsAsync<RpcException>(() => Client.WorkflowService.CreateScheduleAsync(raw));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, zoneData.Code);
        Assert.Contains("timezone_data", zoneData.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<RpcException>(() => Client.GetScheduleHandle(id).DescribeAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, missing.Code);
    }

    [Fact]
    public async Task MatchingTimes_FollowTheZonesDaylightSaving()
    {
        var id = ServerFixture.NewWorkflowId("sched-dst");
        var handle = await Client.CreateScheduleAsync(id, new Schedule(EchoAction("nowhere", id), new ScheduleSpec
        {
            Calendars = [new ScheduleCalendarSpec { Hour = [new ScheduleRange(9)] }],
            TimeZoneName = "America/New_York",
        })
        { State = new ScheduleState { Paused = true } });
        var times = await Client.WorkflowService.ListScheduleMatchingTimesAsync(new()
        {
            Namespace = "default",
            ScheduleId = id,
            StartTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2026, 3, 6, 0, 0, 0, DateTimeKind.Utc)),
            EndTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2026, 3, 10, 0, 0, 0, DateTimeKind.Utc)),
        });
        // 09:00 in New York is 14:00 UTC before the switch to summer time on 8 March 2026, and 13:00 UTC from then on.
        Assert.Equal(
            [new DateTime(2026, 3, 6, 14, 0, 0), new DateTime(2026, 3, 7, 14, 0, 0), new DateTime(2026, 3, 8, 13, 0, 0), new DateTime(2026, 3, 9, 13, 0, 0)],
            times.StartTime.Select(t => t.ToDateTime()).ToList());
        await handle.DeleteAsync();
    }

    private async Task<List<ScheduleListDescription>> ListAsync(string query)
    {
        var result = new List<ScheduleListDescription>();
        await foreach (var schedule in Client.ListSchedulesAsync(new ScheduleListOptions { Query = query }))
        {
            result.Add(schedule);
        }
        return result;
    }

    private async Task<int> CountWorkflowsAsync(string query)
    {
        var count = 0;
        await foreach (var _ in Client.ListWorkflowsAsync(query))
        {
            count++;
        }
        return count;
    }

    private async Task<long> CountAsync(string query) =>
        (await Client.WorkflowService.CountSchedulesAsync(new() { Namespace = "default", Query = query })).Count;
}

using Google.Protobuf.WellKnownTypes;
using Tempora.Worker.Schedules;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Schedule.V1;
using ScheduleState = Tempora.Worker.Schedules.ScheduleState;
using static Tempora.Worker.Tests.Schedules.ScheduleKit;

namespace Tempora.Worker.Tests.Schedules;

public sealed class ScheduleStateSerializationTests
{
    [Fact]
    public void A_state_in_the_middle_of_its_work_survives_a_round_trip()
    {
        var request = Request(overlap: ScheduleOverlapPolicy.CancelOther);
        request.Memo = new Memo { Fields = { ["owner"] = Payload("me").Payloads_[0] } };
        request.SearchAttributes = new SearchAttributes { IndexedFields = { ["Team"] = Payload("\"a\"").Payloads_[0] } };
        var state = ScheduleMachine.Create(request, Namespace, T0);
        var first = StartNext(state, Minutes(1));
        state.LastCompletionResult = Payload("last");
        state.ContinuedFailure = new Temporalio.Api.Failure.V1.Failure { Message = "failed" };
        var stop = Assert.IsType<StopEffect>(Advance(state, Minutes(2)).Effect);
        ScheduleMachine.RecordStopped(state, stop);
        ScheduleMachine.ApplyPatch(state, new SchedulePatch
        {
            BackfillRequest =
            {
                new BackfillRequest
                {
                    StartTime = Timestamp.FromDateTimeOffset(T0.AddDays(-1)),
                    EndTime = Timestamp.FromDateTimeOffset(T0),
                    OverlapPolicy = ScheduleOverlapPolicy.BufferAll,
                },
            },
        }, Minutes(2));

        var copy = ScheduleState.FromBytes(state.ToBytes());

        Assert.Equal(state.Schedule, copy.Schedule);
        Assert.Equal(state.Info, copy.Info);
        Assert.Equal(state.Memo, copy.Memo);
        Assert.Equal(state.SearchAttributes, copy.SearchAttributes);
        Assert.Equal("create-1", copy.CreateRequestId);
        Assert.Equal(state.ConflictToken, copy.ConflictToken);
        Assert.Equal(Namespace, copy.Namespace);
        Assert.Equal(ScheduleId, copy.ScheduleId);
        Assert.Equal(state.LastProcessedTime, copy.LastProcessedTime);
        Assert.Equal(state.BufferedStarts, copy.BufferedStarts);
        Assert.Equal(state.OngoingBackfills, copy.OngoingBackfills);
        Assert.Equal(state.LastCompletionResult, copy.LastCompletionResult);
        Assert.Equal(state.ContinuedFailure, copy.ContinuedFailure);
        Assert.Equal(state.NextStartSequence, copy.NextStartSequence);
        Assert.Equal(state.StopsRequested, copy.StopsRequested);
        Assert.Equal(state.ToBytes(), copy.ToBytes());
        // The copy carries on where the original was: the stop is not asked for again; the close frees the start.
        Assert.Null(Advance(copy, Minutes(2)).Effect);
        Close(copy, first, Minutes(2.1), WorkflowExecutionStatus.Canceled);
        Assert.Equal(Minutes(2), ExpectStart(copy, Minutes(2.1)).Nominal);
    }

    [Fact]
    public void Fields_a_newer_version_adds_are_skipped()
    {
        var bytes = Create().ToBytes();
        // Field 99, varint 7: unknown to this version.
        byte[] extra = [0x98, 0x06, 0x07];

        var state = ScheduleState.FromBytes([.. bytes, .. extra]);

        Assert.Equal(ScheduleId, state.ScheduleId);
    }
}

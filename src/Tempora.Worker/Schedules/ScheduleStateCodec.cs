using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.Schedule.V1;

namespace Tempora.Worker.Schedules;

/// <summary>
/// <see cref="ScheduleState"/> as bytes: protobuf wire format written by hand (the API messages embedded as they
/// serialize themselves), so a field added later is skipped by older code and missing in older rows.
/// </summary>
internal static class ScheduleStateCodec
{
    // Field numbers of the state; never reuse one.
    private const int ScheduleField = 1;
    private const int InfoField = 2;
    private const int MemoField = 3;
    private const int SearchAttributesField = 4;
    private const int CreateRequestIdField = 5;
    private const int ConflictTokenField = 6;
    private const int NamespaceField = 7;
    private const int ScheduleIdField = 8;
    private const int LastProcessedTimeField = 9;
    private const int BufferedStartField = 10;
    private const int OngoingBackfillField = 11;
    private const int LastCompletionResultField = 12;
    private const int ContinuedFailureField = 13;
    private const int NextStartSequenceField = 14;
    private const int StopRequestedField = 15;

    // Field numbers inside a buffered start.
    private const int NominalField = 1;
    private const int ActualField = 2;
    private const int OverlapPolicyField = 3;
    private const int ManualField = 4;
    private const int SequenceField = 5;

    // Field numbers inside a stop request.
    private const int RunIdField = 1;
    private const int TerminateField = 2;

    public static byte[] Encode(ScheduleState state)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        WriteMessage(output, ScheduleField, state.Schedule);
        WriteMessage(output, InfoField, state.Info);
        WriteMessage(output, MemoField, state.Memo);
        WriteMessage(output, SearchAttributesField, state.SearchAttributes);
        WriteString(output, CreateRequestIdField, state.CreateRequestId);
        WriteInt64(output, ConflictTokenField, state.ConflictToken);
        WriteString(output, NamespaceField, state.Namespace);
        WriteString(output, ScheduleIdField, state.ScheduleId);
        WriteMessage(output, LastProcessedTimeField, Timestamp.FromDateTimeOffset(state.LastProcessedTime));
        foreach (var start in state.BufferedStarts)
        {
            WriteBytes(output, BufferedStartField, EncodeStart(start));
        }
        foreach (var backfill in state.OngoingBackfills)
        {
            WriteMessage(output, OngoingBackfillField, backfill);
        }
        WriteMessage(output, LastCompletionResultField, state.LastCompletionResult);
        WriteMessage(output, ContinuedFailureField, state.ContinuedFailure);
        WriteInt64(output, NextStartSequenceField, state.NextStartSequence);
        foreach (var (runId, terminate) in state.StopsRequested.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            WriteBytes(output, StopRequestedField, EncodeStop(runId, terminate));
        }
        output.Flush();
        return buffer.ToArray();
    }

    public static ScheduleState Decode(byte[] bytes)
    {
        var state = new ScheduleState { Schedule = new Schedule(), Info = new ScheduleInfo() };
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case ScheduleField: state.Schedule = Schedule.Parser.ParseFrom(input.ReadBytes()); break;
                case InfoField: state.Info = ScheduleInfo.Parser.ParseFrom(input.ReadBytes()); break;
                case MemoField: state.Memo = Memo.Parser.ParseFrom(input.ReadBytes()); break;
                case SearchAttributesField: state.SearchAttributes = SearchAttributes.Parser.ParseFrom(input.ReadBytes()); break;
                case CreateRequestIdField: state.CreateRequestId = input.ReadString(); break;
                case ConflictTokenField: state.ConflictToken = input.ReadInt64(); break;
                case NamespaceField: state.Namespace = input.ReadString(); break;
                case ScheduleIdField: state.ScheduleId = input.ReadString(); break;
                case LastProcessedTimeField: state.LastProcessedTime = ReadTime(input.ReadBytes()); break;
                case BufferedStartField: state.BufferedStarts.Add(DecodeStart(input.ReadBytes())); break;
                case OngoingBackfillField: state.OngoingBackfills.Add(BackfillRequest.Parser.ParseFrom(input.ReadBytes())); break;
                case LastCompletionResultField: state.LastCompletionResult = Payloads.Parser.ParseFrom(input.ReadBytes()); break;
                case ContinuedFailureField: state.ContinuedFailure = Failure.Parser.ParseFrom(input.ReadBytes()); break;
                case NextStartSequenceField: state.NextStartSequence = input.ReadInt64(); break;
                case StopRequestedField:
                    var (runId, terminate) = DecodeStop(input.ReadBytes());
                    state.StopsRequested[runId] = terminate;
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return state;
    }

    private static ByteString EncodeStart(BufferedStart start)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        WriteMessage(output, NominalField, Timestamp.FromDateTimeOffset(start.Nominal));
        WriteMessage(output, ActualField, Timestamp.FromDateTimeOffset(start.Actual));
        WriteInt64(output, OverlapPolicyField, (long)start.OverlapPolicy);
        if (start.Manual)
        {
            output.WriteTag(ManualField, WireFormat.WireType.Varint);
            output.WriteBool(true);
        }
        WriteInt64(output, SequenceField, start.Sequence);
        output.Flush();
        return ByteString.CopyFrom(buffer.ToArray());
    }

    private static BufferedStart DecodeStart(ByteString bytes)
    {
        DateTimeOffset nominal = default, actual = default;
        var policy = ScheduleOverlapPolicy.Unspecified;
        var manual = false;
        long sequence = 0;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case NominalField: nominal = ReadTime(input.ReadBytes()); break;
                case ActualField: actual = ReadTime(input.ReadBytes()); break;
                case OverlapPolicyField: policy = (ScheduleOverlapPolicy)input.ReadInt64(); break;
                case ManualField: manual = input.ReadBool(); break;
                case SequenceField: sequence = input.ReadInt64(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new BufferedStart(nominal, actual, policy, manual, sequence);
    }

    private static ByteString EncodeStop(string runId, bool terminate)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        WriteString(output, RunIdField, runId);
        output.WriteTag(TerminateField, WireFormat.WireType.Varint);
        output.WriteBool(terminate);
        output.Flush();
        return ByteString.CopyFrom(buffer.ToArray());
    }

    private static (string RunId, bool Terminate) DecodeStop(ByteString bytes)
    {
        var runId = "";
        var terminate = false;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case RunIdField: runId = input.ReadString(); break;
                case TerminateField: terminate = input.ReadBool(); break;
                default: input.SkipLastField(); break;
            }
        }
        return (runId, terminate);
    }

    private static DateTimeOffset ReadTime(ByteString bytes) => Timestamp.Parser.ParseFrom(bytes).ToDateTimeOffset();

    private static void WriteMessage(CodedOutputStream output, int field, IMessage? message)
    {
        if (message is not null)
        {
            WriteBytes(output, field, message.ToByteString());
        }
    }

    private static void WriteBytes(CodedOutputStream output, int field, ByteString bytes)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(bytes);
    }

    private static void WriteString(CodedOutputStream output, int field, string value)
    {
        if (value.Length > 0)
        {
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            output.WriteString(value);
        }
    }

    private static void WriteInt64(CodedOutputStream output, int field, long value)
    {
        if (value != 0)
        {
            output.WriteTag(field, WireFormat.WireType.Varint);
            output.WriteInt64(value);
        }
    }
}

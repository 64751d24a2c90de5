using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;

namespace Tempora.Core;

/// <summary>
/// Reads a task token in Temporal's own format (temporal.server.api.token.v1.Task, a protobuf message), which Tempora
/// never issues but a client may hold: one saved from a Temporal server, or one an SDK's tests build by hand. Read, it
/// names a run and an activity like any token, so a token for something Tempora does not have is answered NotFound,
/// as Temporal answers it, rather than "malformed". Its started time (field 12) is kept so a Temporal token can never
/// match one of Tempora's started attempts by accident.
/// </summary>
internal static class TemporalTaskToken
{
    /// <summary>Field 1 (namespace_id, length-delimited): the first byte of every such token; Tempora's begin with their version, 1.</summary>
    public const byte FirstByte = 0x0A;

    public static TaskToken Read(ReadOnlySpan<byte> bytes)
    {
        string namespaceId = "", workflowId = "", runId = "", activityId = "";
        long scheduledEventId = 0, startedEventId = 0, startedTimeTicks = 0;
        var attempt = 0;
        try
        {
            var input = new CodedInputStream(bytes.ToArray());
            while (input.ReadTag() is var tag && tag != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1: namespaceId = input.ReadString(); break;
                    case 2: workflowId = input.ReadString(); break;
                    case 3: runId = input.ReadString(); break;
                    case 4: scheduledEventId = input.ReadInt64(); break;
                    case 5: attempt = input.ReadInt32(); break;
                    case 6: activityId = input.ReadString(); break;
                    case 10: startedEventId = input.ReadInt64(); break;
                    case 12:
                        var startedTime = new Timestamp();
                        input.ReadMessage(startedTime);
                        startedTimeTicks = startedTime.ToDateTimeOffset().UtcTicks;
                        break;
                    default: input.SkipLastField(); break; // workflow/activity type, clock, version
                }
            }
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            throw new InvalidArgumentException("Error deserializing task token: malformed token.");
        }
        if (namespaceId.Length == 0 || workflowId.Length == 0)
        {
            throw new InvalidArgumentException("Error deserializing task token: malformed token.");
        }
        return new TaskToken(namespaceId, workflowId, runId, scheduledEventId, attempt, startedEventId, startedTimeTicks, activityId);
    }
}

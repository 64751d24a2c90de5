using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Tempora.Core.Errors;

namespace Tempora.History.Api;

/// <summary>A history page token: the run and the next event id to read. Opaque to clients.</summary>
internal sealed record HistoryPageToken(string RunId, long NextEventId)
{
    private const byte Version = 1;

    public ByteString ToByteString()
    {
        var run = Encoding.UTF8.GetBytes(RunId);
        var bytes = new byte[1 + 8 + run.Length];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), NextEventId);
        run.CopyTo(bytes, 9);
        return ByteString.CopyFrom(bytes);
    }

    public static HistoryPageToken? Parse(ByteString token)
    {
        if (token.IsEmpty)
        {
            return null;
        }
        var span = token.Span;
        if (span.Length < 10 || span[0] != Version)
        {
            throw new InvalidArgumentException("Invalid NextPageToken.");
        }
        var runId = Encoding.UTF8.GetString(span[9..]);
        var next = BinaryPrimitives.ReadInt64LittleEndian(span[1..]);
        if (!Guid.TryParse(runId, out _) || next < 1)
        {
            throw new InvalidArgumentException("Invalid NextPageToken.");
        }
        return new HistoryPageToken(runId, next);
    }
}

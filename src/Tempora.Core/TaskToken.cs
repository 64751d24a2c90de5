using System.Buffers.Binary;
using System.Text;
using Tempora.Core.Errors;

namespace Tempora.Core;

/// <summary>
/// The opaque token handed to workers for a workflow or activity task. SDKs never parse it; it carries what the
/// server needs to find the task again and to reject a stale one (another attempt or another start).
/// </summary>
public sealed record TaskToken(
    string NamespaceId, string WorkflowId, string RunId, long ScheduledEventId, int Attempt, long StartedEventId,
    long StartedTimeTicks, string ActivityId, string QueryId = "")
{
    private const byte Version = 1;

    public WorkflowKey Key => new(NamespaceId, WorkflowId, RunId);

    public byte[] Serialize()
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms, Encoding.UTF8);
        w.Write(Version);
        w.Write(NamespaceId);
        w.Write(WorkflowId);
        w.Write(RunId);
        w.Write(ScheduledEventId);
        w.Write(Attempt);
        w.Write(StartedEventId);
        w.Write(StartedTimeTicks);
        w.Write(ActivityId);
        w.Write(QueryId);
        w.Flush();
        var body = ms.ToArray();
        // A checksum makes random bytes fail loudly as "malformed" instead of decoding into nonsense ids.
        var crc = Checksum(body);
        var result = new byte[body.Length + 4];
        body.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(body.Length), crc);
        return result;
    }

    private static uint Checksum(ReadOnlySpan<byte> body)
        => BinaryPrimitives.ReadUInt32LittleEndian(System.Security.Cryptography.SHA256.HashData(body));

    public static TaskToken Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 5)
        {
            throw new InvalidArgumentException("Error deserializing task token: token is empty or too short.");
        }
        if (bytes[0] == TemporalTaskToken.FirstByte)
        {
            return TemporalTaskToken.Read(bytes);
        }
        var body = bytes[..^4];
        if (Checksum(body) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]) || body[0] != Version)
        {
            throw new InvalidArgumentException("Error deserializing task token: malformed token.");
        }
        try
        {
            using var ms = new MemoryStream(body.ToArray());
            using var r = new BinaryReader(ms, Encoding.UTF8);
            r.ReadByte();
            return new TaskToken(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadInt64(), r.ReadInt32(),
                r.ReadInt64(), r.ReadInt64(), r.ReadString(), r.ReadString());
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            throw new InvalidArgumentException("Error deserializing task token: malformed token.");
        }
    }
}

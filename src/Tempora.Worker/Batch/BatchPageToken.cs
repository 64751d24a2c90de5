using System.Text.Json;
using Google.Protobuf;
using Tempora.Core.Errors;
using Tempora.Persistence.Batches;

namespace Tempora.Worker.Batch;

/// <summary>ListBatchOperations' page token: where the last page ended (start time and job id), as JSON.</summary>
internal static class BatchPageToken
{
    private sealed record Token(long StartTimeMs, string JobId);

    public static ByteString Encode(BatchListPosition position) =>
        ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(new Token(position.StartTime.ToUnixTimeMilliseconds(), position.JobId)));

    public static BatchListPosition Decode(ByteString token)
    {
        try
        {
            var t = JsonSerializer.Deserialize<Token>(token.Span) ?? throw new JsonException();
            return new BatchListPosition(DateTimeOffset.FromUnixTimeMilliseconds(t.StartTimeMs), t.JobId ?? throw new JsonException());
        }
        catch (JsonException)
        {
            throw new InvalidArgumentException("Invalid NextPageToken.");
        }
    }
}

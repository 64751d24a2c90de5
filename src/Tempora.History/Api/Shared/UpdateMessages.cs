using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Protocol.V1;

namespace Tempora.History.Api;

internal static class UpdateMessages
{
    /// <summary>
    /// Protocol messages carrying the run's admitted updates, for the workflow task being started. A task started by
    /// the completion that just accepted or rejected some (<paramref name="answered"/>, still admitted in memory until
    /// it commits) leaves those out: the worker would run their handlers again.
    /// </summary>
    public static List<Message> For(ExecutionContext ctx, long startedEventId, IReadOnlySet<string>? answered)
    {
        var messages = new List<Message>();
        foreach (var (id, update) in ctx.Updates)
        {
            if (update.Rejection is null && !update.Aborted && answered?.Contains(id) != true)
            {
                messages.Add(new Message
                {
                    Id = $"{id}/request",
                    ProtocolInstanceId = id,
                    EventId = startedEventId - 1,
                    Body = Any.Pack(update.Request),
                });
            }
        }
        return messages;
    }
}

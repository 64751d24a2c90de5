using Google.Protobuf;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class RecordActivityTaskHeartbeatByIdHandler(ActivityTokenLookup tokens, RecordActivityTaskHeartbeatHandler heartbeat)
{
    public async Task<RecordActivityTaskHeartbeatByIdResponse> HandleAsync(
        NamespaceRecord ns, RecordActivityTaskHeartbeatByIdRequest r, CancellationToken ct)
    {
        var token = await tokens.TokenByIdAsync(ns, r.WorkflowId, r.RunId, r.ActivityId, ct);
        var response = await heartbeat.HandleAsync(new RecordActivityTaskHeartbeatRequest
        {
            TaskToken = ByteString.CopyFrom(token.Serialize()),
            Details = r.Details,
            Identity = r.Identity,
        }, ct);
        return new RecordActivityTaskHeartbeatByIdResponse
        {
            CancelRequested = response.CancelRequested,
            ActivityPaused = response.ActivityPaused,
            ActivityReset = response.ActivityReset,
        };
    }
}

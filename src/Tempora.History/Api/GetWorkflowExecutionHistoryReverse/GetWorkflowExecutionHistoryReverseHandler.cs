using Tempora.Core.Errors;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class GetWorkflowExecutionHistoryReverseHandler(RunResolver runs, HistorySnapshots snapshots, HistoryReader history)
{
    public async Task<GetWorkflowExecutionHistoryReverseResponse> HandleAsync(
        NamespaceRecord ns, GetWorkflowExecutionHistoryReverseRequest r, CancellationToken ct)
    {
        var key = await runs.ResolveAsync(ns.Id, r.Execution, null, ct);
        var token = HistoryPageToken.Parse(r.NextPageToken);
        if (token is not null)
        {
            if (!string.IsNullOrEmpty(r.Execution.RunId) && token.RunId != key.RunId)
            {
                throw new InvalidArgumentException("Invalid NextPageToken: it belongs to another run.");
            }
            key = key with { RunId = token.RunId };
        }
        var snapshot = await snapshots.TakeAsync(key, ct);
        var end = token?.NextEventId ?? snapshot.NextEventId;
        var pageSize = r.MaximumPageSize > 0 ? Math.Min(r.MaximumPageSize, HistoryLimits.HistoryMaxPageSize) : HistoryLimits.HistoryMaxPageSize;
        var start = Math.Max(1, end - pageSize);
        var events = await history.ReadEventsAsync(key, start, end, ct);
        events.Reverse();
        var response = new GetWorkflowExecutionHistoryReverseResponse { History = new Temporalio.Api.History.V1.History() };
        response.History.Events.AddRange(events);
        if (start > 1)
        {
            response.NextPageToken = new HistoryPageToken(key.RunId, start).ToByteString();
        }
        return response;
    }
}

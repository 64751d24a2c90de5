using Tempora.Core.Errors;
using Tempora.History.Updates;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class GetWorkflowExecutionHistoryHandler(RunResolver runs, HistorySnapshots snapshots, HistoryReader history)
{
    /// <summary>
    /// Pages through a run's history. With wait_new_event the last page of an open run keeps a token and a call with
    /// it waits for news up to <paramref name="maxWait"/>; with the close-event filter only the close event is
    /// returned, and an open run answers an empty page with a token so the client asks again (§6.3).
    /// </summary>
    public async Task<GetWorkflowExecutionHistoryResponse> HandleAsync(
        NamespaceRecord ns, GetWorkflowExecutionHistoryRequest r, bool appendTransientEvents, TimeSpan maxWait, CancellationToken ct)
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
        var response = new GetWorkflowExecutionHistoryResponse
        {
            History = new Temporalio.Api.History.V1.History(),
            PropagatedNexusSerializationContext = snapshot.NexusSerializationContext,
        };

        if (r.HistoryEventFilterType == HistoryEventFilterType.CloseEvent)
        {
            if (snapshot.Open && r.WaitNewEvent)
            {
                snapshot = await snapshots.WaitForChangeAsync(key, snapshot, s => !s.Open, maxWait, ct);
            }
            if (!snapshot.Open)
            {
                response.History.Events.AddRange(await history.ReadEventsAsync(key, snapshot.NextEventId - 1, snapshot.NextEventId, ct));
            }
            else if (r.WaitNewEvent)
            {
                response.NextPageToken = new HistoryPageToken(key.RunId, snapshot.NextEventId).ToByteString();
            }
            return response;
        }

        var from = token?.NextEventId ?? 1;
        if (from >= snapshot.NextEventId && snapshot.Open && r.WaitNewEvent)
        {
            snapshot = await snapshots.WaitForChangeAsync(key, snapshot, s => s.NextEventId > from || !s.Open, maxWait, ct);
        }
        var pageSize = r.MaximumPageSize > 0 ? Math.Min(r.MaximumPageSize, HistoryLimits.HistoryMaxPageSize) : HistoryLimits.HistoryMaxPageSize;
        var to = Math.Min(snapshot.NextEventId, from + pageSize);
        response.History.Events.AddRange(await history.ReadEventsAsync(key, from, to, ct));
        if (to < snapshot.NextEventId || (snapshot.Open && r.WaitNewEvent))
        {
            response.NextPageToken = new HistoryPageToken(key.RunId, to).ToByteString();
        }
        if (to == snapshot.NextEventId && appendTransientEvents)
        {
            response.History.Events.AddRange(snapshot.Transient);
        }
        return response;
    }
}

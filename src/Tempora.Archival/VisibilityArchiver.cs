using Google.Protobuf;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Archival;

/// <summary>
/// Archives a closed run's visibility record (the WorkflowExecutionInfo the list RPCs give: ids, type, times, status,
/// memo, search attributes, history length) and answers ListArchivedWorkflowExecutions over them, newest close first.
/// A query reads the records of the namespace in close order until a page is full: fine for thousands of archived
/// runs a query, slow for millions (Temporal's S3 archiver keeps extra index keys for that; not done here).
/// </summary>
public sealed class VisibilityArchiver(ArchiveStores stores)
{
    private const int ListBatch = 1000;

    public Task ArchiveAsync(ArchivalUri uri, ArchivalKindSettings settings, string namespaceId, WorkflowExecutionInfo info, CancellationToken ct) =>
        stores.For(uri, settings).PutAsync(
            ArchiveKeys.Visibility(namespaceId, info.CloseTime.ToDateTimeOffset(), info.Execution.RunId), info.ToByteArray(), ct);

    /// <summary>A page of matching records and the token of the next page (the last key read; empty at the end).</summary>
    public async Task<(IReadOnlyList<WorkflowExecutionInfo> Executions, ByteString NextPageToken)> QueryAsync(ArchivalUri uri,
        ArchivalKindSettings settings, string namespaceId, ArchivedQuery query, int pageSize, ByteString pageToken, CancellationToken ct)
    {
        var store = stores.For(uri, settings);
        var prefix = ArchiveKeys.VisibilityPrefix(namespaceId);
        string? after = pageToken.IsEmpty ? null : pageToken.ToStringUtf8();
        if (after is not null && !after.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new Tempora.Core.Errors.InvalidArgumentException("Invalid NextPageToken.");
        }
        var found = new List<WorkflowExecutionInfo>();
        while (true)
        {
            var keys = await store.ListAsync(prefix, after, ListBatch, ct);
            foreach (var key in keys)
            {
                after = key;
                if (await store.GetAsync(key, ct) is not { } data)
                {
                    continue;
                }
                var info = WorkflowExecutionInfo.Parser.ParseFrom(data);
                if (query.Matches(info.Execution.WorkflowId, info.Type.Name, info.StartTime.ToDateTimeOffset(), info.CloseTime.ToDateTimeOffset()))
                {
                    found.Add(info);
                    if (found.Count == pageSize)
                    {
                        return (found, ByteString.CopyFromUtf8(key));
                    }
                }
            }
            if (keys.Count < ListBatch)
            {
                return (found, ByteString.Empty);
            }
        }
    }
}

using Google.Protobuf;
using Temporalio.Api.History.V1;

namespace Tempora.Archival;

/// <summary>
/// Archives a closed run's complete history (every batch, in order) as one blob, and reads it back a page at a time
/// for GetWorkflowExecutionHistory. The page token is the index of the next event in the archived history, marked as an archive's.
/// </summary>
public sealed class HistoryArchiver(ArchiveStores stores)
{
    private const string TokenPrefix = "archived:";

    /// <summary>Whether a page token is one of an archived history's (the next page is read from the archive too).</summary>
    public static bool IsArchiveToken(ByteString token) => token.Length > TokenPrefix.Length && token.ToStringUtf8().StartsWith(TokenPrefix, StringComparison.Ordinal);

    public Task ArchiveAsync(ArchivalUri uri, ArchivalKindSettings settings, string namespaceId, string workflowId, string runId,
        History history, CancellationToken ct) =>
        stores.For(uri, settings).PutAsync(ArchiveKeys.History(namespaceId, workflowId, runId), history.ToByteArray(), ct);

    /// <summary>A page of the archived history, or null when the run was not archived there.</summary>
    public async Task<(History Page, ByteString NextPageToken)?> GetAsync(ArchivalUri uri, ArchivalKindSettings settings, string namespaceId,
        string workflowId, string runId, int pageSize, ByteString pageToken, CancellationToken ct)
    {
        var data = await stores.For(uri, settings).GetAsync(ArchiveKeys.History(namespaceId, workflowId, runId), ct);
        if (data is null)
        {
            return null;
        }
        var history = History.Parser.ParseFrom(data);
        var from = 0;
        if (!pageToken.IsEmpty && (!IsArchiveToken(pageToken) || !int.TryParse(pageToken.ToStringUtf8()[TokenPrefix.Length..],
                System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out from) || from > history.Events.Count))
        {
            throw new Tempora.Core.Errors.InvalidArgumentException("Invalid NextPageToken.");
        }
        var size = pageSize > 0 ? pageSize : history.Events.Count;
        var page = new History();
        page.Events.AddRange(history.Events.Skip(from).Take(size));
        var next = from + page.Events.Count;
        return (page, next < history.Events.Count ? ByteString.CopyFromUtf8(TokenPrefix + next.ToString(System.Globalization.CultureInfo.InvariantCulture)) : ByteString.Empty);
    }
}

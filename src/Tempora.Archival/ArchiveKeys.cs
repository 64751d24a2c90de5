using System.Security.Cryptography;
using System.Text;

namespace Tempora.Archival;

/// <summary>
/// The key layout, under a URI's directory or bucket prefix:
/// <c>&lt;namespaceId&gt;/history/&lt;workflowId&gt;/&lt;runId&gt;.history</c> (the run's whole history, one History message) and
/// <c>&lt;namespaceId&gt;/visibility/&lt;closeOrder&gt;_&lt;runId&gt;.visibility</c> (its closed record), where closeOrder
/// counts down with the close time so that a listing gives the newest first, as Temporal's archived lists.
/// </summary>
internal static class ArchiveKeys
{
    private const int MaxSegment = 200;

    public static string History(string namespaceId, string workflowId, string runId) =>
        $"{Segment(namespaceId)}/history/{Segment(workflowId)}/{Segment(runId)}.history";

    public static string VisibilityPrefix(string namespaceId) => $"{Segment(namespaceId)}/visibility/";

    public static string Visibility(string namespaceId, DateTimeOffset closeTime, string runId)
    {
        var nanos = (closeTime - DateTimeOffset.UnixEpoch).Ticks * 100;
        return $"{VisibilityPrefix(namespaceId)}{long.MaxValue - nanos:D19}_{Segment(runId)}.visibility";
    }

    /// <summary>
    /// A path segment safe on every file system and in S3: escaped, and past 200 characters (a workflow id may have
    /// 1000) replaced by its SHA-256, so that no file name is too long.
    /// </summary>
    private static string Segment(string value)
    {
        var escaped = Uri.EscapeDataString(value).Replace(".", "%2E", StringComparison.Ordinal);
        return escaped.Length <= MaxSegment ? escaped : "sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
    }
}

namespace Tempora.Web.Rendering;

/// <summary>
/// A workflow id, run id, namespace or task queue name as one URL path segment, and back. Every character but the
/// unreserved ones is percent-encoded, as the Temporal UI's links do. "." and "..": browsers and URL parsers treat
/// those segments (and "%2e" spellings of them) as directory steps and drop them before the request is sent, so they
/// are written "!." and "!..". '!' is always escaped ("%21") otherwise, so a raw '!' followed by dots is that spelling.
/// </summary>
internal static class PathSegment
{
    private const char DotMarker = '!';

    public static string Encode(string value) => value is "." or ".." ? DotMarker + value : Uri.EscapeDataString(value);

    /// <summary>A segment exactly as the request sent it (not yet percent-decoded).</summary>
    public static string Decode(string raw) => raw is [DotMarker, '.'] or [DotMarker, '.', '.'] ? raw[1..] : Uri.UnescapeDataString(raw);
}

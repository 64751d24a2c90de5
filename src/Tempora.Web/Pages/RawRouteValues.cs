using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Tempora.Web.Rendering;

namespace Tempora.Web.Pages;

/// <summary>
/// Route values read from the path as the browser sent it. Kestrel decodes every escape of the path but %2F before
/// routing, so a routed value cannot tell the id "a/b" (sent "a%2Fb") from the id "a%2Fb" (sent "a%252Fb"); the raw
/// segment at the parameter's position, decoded once (<see cref="PathSegment.Decode"/>), can.
/// </summary>
internal static class RawRouteValues
{
    public static string? Get(HttpContext http, string name)
    {
        if (http.GetRouteValue(name) is not string routed)
        {
            return null;
        }
        if (RawSegments(http) is { } raw && http.GetEndpoint() is RouteEndpoint endpoint)
        {
            var pattern = endpoint.RoutePattern.PathSegments;
            for (var i = 0; i < pattern.Count && i < raw.Length; i++)
            {
                if (pattern[i].Parts is [RoutePatternParameterPart parameter] && parameter.Name == name)
                {
                    return PathSegment.Decode(raw[i]);
                }
            }
        }
        return routed.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The request's path as sent (still percent-encoded), for links back to the same page.</summary>
    public static string RawPath(HttpContext http) =>
        RawSegments(http) is { } raw ? "/" + string.Join('/', raw) : http.Request.Path.ToUriComponent();

    /// <summary>
    /// The raw path's segments, or null when they do not line up with the routed path's (a proxy's absolute-form
    /// target, or dot segments Kestrel removed).
    /// </summary>
    private static string[]? RawSegments(HttpContext http)
    {
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (target is not ['/', ..])
        {
            return null;
        }
        var query = target.IndexOf('?', StringComparison.Ordinal);
        var raw = (query < 0 ? target[1..] : target[1..query]).Split('/');
        var routed = (http.Request.Path.Value ?? "/").AsSpan(1).Count('/') + 1;
        return raw.Length == routed ? raw : null;
    }
}

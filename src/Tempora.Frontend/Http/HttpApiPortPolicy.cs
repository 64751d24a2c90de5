using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Tempora.Frontend.Http;

/// <summary>
/// JSON transcoding adds its routes to the one endpoint table every listener shares; Temporal serves them on the HTTP
/// API port only. Deciding by port while matching (rather than after) also keeps a route like
/// <c>GET /namespaces/{namespace}/workflows/{id}</c> from being ambiguous with the web UI page of the same shape: on
/// the HTTP port only HTTP API routes are candidates, elsewhere none of them is.
/// </summary>
internal sealed class HttpApiPortPolicy(HttpApiSettings settings) : MatcherPolicy, IEndpointSelectorPolicy
{
    /// <summary>After the HTTP method policy, which has already chosen its 405 endpoint when no method fits.</summary>
    public override int Order => 1000;

    public static bool IsApiEndpoint(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null || endpoint.Metadata.GetMetadata<HttpApiRoute>() is not null;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var onHttpPort = settings.Port() is { } port && httpContext.Connection.LocalPort == port;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && IsApiEndpoint(candidates[i].Endpoint) != onHttpPort
                && !IsMethodNotAllowed(candidates[i].Endpoint))
            {
                candidates.SetValidity(i, false);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Routing's own 405 endpoint (no route of the path takes the method): the middleware words it.</summary>
    public static bool IsMethodNotAllowed(Endpoint endpoint) =>
        endpoint.DisplayName?.StartsWith("405 ", StringComparison.Ordinal) == true;
}

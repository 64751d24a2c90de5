using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Tempora.Cluster.Peers;

/// <summary>
/// One header of a request, read from its HTTP request when it has one. ServerCallContext.RequestHeaders copies every
/// header into a new Metadata the first time it is read, which every call paid for a header it usually lacks
/// (about 0.6 % of the server's CPU under load).
/// </summary>
public static class RequestHeader
{
    /// <summary>The first value of header <paramref name="name"/> (lower case), or null when the request has none.</summary>
    public static string? Value(ServerCallContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Http(context) is not { } http)
        {
            return context.RequestHeaders.GetValue(name);
        }
        var values = http.Request.Headers[name];
        return values.Count == 0 ? null : values[0];
    }

    private static HttpContext? Http(ServerCallContext context)
    {
        try
        {
            return context.GetHttpContext();
        }
        catch (InvalidOperationException)
        {
            return null; // a context not hosted by ASP.NET Core (tests)
        }
    }
}

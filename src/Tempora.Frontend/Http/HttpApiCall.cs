using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Tempora.Frontend.Http;

/// <summary>Marks a request that came in through the HTTP API, so the interceptors can tell it from a gRPC call.</summary>
internal static class HttpApiCall
{
    private static readonly object Key = new();

    public static void Mark(HttpContext context) => context.Items[Key] = true;

    public static bool Is(ServerCallContext context) => context.GetHttpContext()?.Items.ContainsKey(Key) == true;
}

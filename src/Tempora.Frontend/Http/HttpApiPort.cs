using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;

namespace Tempora.Frontend.Http;

/// <summary>
/// SPIKE (issue 23). JSON transcoding adds its HTTP routes to the same endpoint table as the gRPC methods, so they would
/// answer on every listener; Temporal serves them on their own port only. This keeps each family on its own port:
/// a transcoded route answers 404 elsewhere, and the HTTP port answers 404 to anything that is not a transcoded route.
/// </summary>
public static class HttpApiPort
{
    public static IApplicationBuilder UseHttpApiPort(this IApplicationBuilder app, Func<int?> httpPort) =>
        app.Use(async (context, next) =>
        {
            var port = httpPort();
            var transcoded = context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null;
            var onHttpPort = port is not null && context.Connection.LocalPort == port;
            if (transcoded != onHttpPort)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            if (transcoded && (context.Request.Query.ContainsKey("noPayloadShorthand")
                || context.Request.Headers.Accept.Any(a => a?.Contains("no-payload-shorthand", StringComparison.Ordinal) == true)))
            {
                PayloadShorthand.Disable();
            }
            await next(context);
        });
}

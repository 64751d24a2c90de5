using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tempora.Server.Observability;

/// <summary>
/// /metrics, /health/live and /health/ready, answered only on the metrics listener. That listener speaks HTTP/1.1
/// (Prometheus and the kubelet do) while the gRPC listener is HTTP/2-only, so the protocol tells them apart even
/// when both ports were picked by the OS.
/// </summary>
internal static class ObservabilityEndpoints
{
    public static void MapObservability(this IEndpointRouteBuilder endpoints, PrometheusMetrics? metrics, Readiness readiness)
    {
        var group = endpoints.MapGroup("").AddEndpointFilter(async (context, next) =>
            HttpProtocol.IsHttp11(context.HttpContext.Request.Protocol) || HttpProtocol.IsHttp10(context.HttpContext.Request.Protocol)
                ? await next(context)
                : Results.NotFound());

        group.MapGet("/health/live", () => Results.Json(new HealthStatus("live", null), HealthJsonContext.Default.HealthStatus));
        group.MapGet("/health/ready", async (CancellationToken ct) =>
        {
            var (reason, warnings) = await readiness.CheckAsync(ct);
            var listed = warnings.Count > 0 ? warnings : null;
            return reason is not null
                ? Results.Json(new HealthStatus("not ready", reason, listed), HealthJsonContext.Default.HealthStatus, statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Json(new HealthStatus("ready", null, listed), HealthJsonContext.Default.HealthStatus);
        });
        if (metrics is not null)
        {
            group.MapGet("/metrics", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await metrics.ExportAsync(context.Response.Body, context.RequestAborted);
            });
        }
    }
}

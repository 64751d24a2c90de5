using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Tempora.Core.Metrics;
using Tempora.History;

namespace Tempora.Frontend;

/// <summary>
/// service_requests, service_latency and the service_errors_* counters per namespace and operation (the gRPC method
/// name). Registered before <see cref="ErrorInterceptor"/>, so it sees the status the client gets. Counted when the
/// call ends, by which time the handler has resolved the namespace: only namespaces that exist become label values,
/// so a client sending made-up names cannot grow the series without bound.
/// </summary>
internal sealed class MetricsInterceptor(IMetrics metrics, NamespaceRegistry namespaces) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        StatusCode? failure = null;
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException e)
        {
            failure = e.StatusCode;
            throw;
        }
        catch (Exception)
        {
            failure = StatusCode.Internal;
            throw;
        }
        finally
        {
            var ns = NamespaceLabel(NamespaceField<TRequest>.Read(request));
            var operation = Operation(context.Method);
            metrics.Increment(MetricNames.ServiceRequests, ns, operation);
            if (Http.HttpApiCall.Is(context))
            {
                metrics.Increment(MetricNames.HttpServiceRequests, ns, operation);
            }
            metrics.Record(MetricNames.ServiceLatency, Stopwatch.GetElapsedTime(started), ns, operation);
            if (failure is { } code)
            {
                CountError(ns, operation, code);
            }
        }
    }

    /// <summary>"/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution" → "StartWorkflowExecution".</summary>
    private static string Operation(string method) => method[(method.LastIndexOf('/') + 1)..];

    private string NamespaceLabel(string? name) =>
        !string.IsNullOrEmpty(name) && namespaces.IsCached(name) ? name : MetricDefinition.UnknownNamespace;

    private void CountError(string ns, string operation, StatusCode code)
    {
        // Temporal's error types are serviceerror names (serviceerror.InvalidArgument → "serviceerror_InvalidArgument").
        metrics.Increment(MetricNames.ServiceErrorWithType, ns, operation, "serviceerror_" + code switch
        {
            StatusCode.NotFound => "NotFound",
            StatusCode.AlreadyExists => "WorkflowExecutionAlreadyStarted",
            StatusCode.DeadlineExceeded or StatusCode.Cancelled => "DeadlineExceeded",
            _ => code.ToString(),
        });
        var specific = code switch
        {
            StatusCode.InvalidArgument => MetricNames.ServiceErrorsInvalidArgument,
            StatusCode.NotFound => MetricNames.ServiceErrorsEntityNotFound,
            StatusCode.AlreadyExists => MetricNames.ServiceErrorsExecutionAlreadyStarted,
            StatusCode.ResourceExhausted => MetricNames.ServiceErrorsResourceExhausted,
            StatusCode.DeadlineExceeded or StatusCode.Cancelled => MetricNames.ServiceErrorsContextTimeout,
            StatusCode.Unavailable => MetricNames.ServiceErrorsUnavailable,
            StatusCode.Internal or StatusCode.Unknown or StatusCode.DataLoss => MetricNames.ServiceErrorsCritical,
            _ => null,
        };
        if (specific is not null)
        {
            metrics.Increment(specific, ns, operation);
        }
    }
}

/// <summary>
/// The string field <c>namespace</c> of a request message, found once per message type through its protobuf
/// descriptor (nearly every Temporal request has one; GetSystemInfo and ListNamespaces do not).
/// </summary>
internal static class NamespaceField<TRequest>
{
    private static readonly IFieldAccessor? Accessor = typeof(TRequest)
        .GetProperty("Descriptor", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        ?.GetValue(null) is MessageDescriptor descriptor
        && descriptor.FindFieldByName("namespace") is { FieldType: FieldType.String } field
            ? field.Accessor
            : null;

    public static string? Read(TRequest request) =>
        Accessor is not null && request is IMessage message ? Accessor.GetValue(message) as string : null;
}

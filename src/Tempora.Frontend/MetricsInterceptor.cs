using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Tempora.Core.Metrics;

namespace Tempora.Frontend;

/// <summary>
/// service_requests, service_latency and the service_errors_* counters per operation (the gRPC method name, a bounded
/// set). Registered before <see cref="ErrorInterceptor"/>, so it sees the status the client gets.
/// </summary>
public sealed class MetricsInterceptor(IMetrics metrics) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var operation = Operation(context.Method);
        var started = Stopwatch.GetTimestamp();
        metrics.Increment(MetricNames.ServiceRequests, operation);
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException e)
        {
            CountError(operation, e.StatusCode);
            throw;
        }
        catch (Exception)
        {
            CountError(operation, StatusCode.Internal);
            throw;
        }
        finally
        {
            metrics.Record(MetricNames.ServiceLatency, Stopwatch.GetElapsedTime(started), operation);
        }
    }

    /// <summary>"/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution" → "StartWorkflowExecution".</summary>
    private static string Operation(string method) => method[(method.LastIndexOf('/') + 1)..];

    private void CountError(string operation, StatusCode code)
    {
        // Temporal's error types are serviceerror names (serviceerror.InvalidArgument → "serviceerror_InvalidArgument").
        metrics.Increment(MetricNames.ServiceErrorWithType, operation, "serviceerror_" + code switch
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
            metrics.Increment(specific, operation);
        }
    }
}

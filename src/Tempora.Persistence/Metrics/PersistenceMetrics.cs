using System.Diagnostics;
using Tempora.Core.Metrics;

namespace Tempora.Persistence.Metrics;

/// <summary>Times one store call into persistence_requests/errors/latency{operation}.</summary>
internal static class PersistenceMetrics
{
    // The call is a delegate, not a started task: SQLite does its work synchronously inside the call, which the
    // stopwatch must include.
    public static async Task<T> MeasureAsync<T>(IMetrics metrics, string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        metrics.Increment(MetricNames.PersistenceRequests, operation);
        try
        {
            return await call();
        }
        catch
        {
            metrics.Increment(MetricNames.PersistenceErrors, operation);
            throw;
        }
        finally
        {
            metrics.Record(MetricNames.PersistenceLatency, Stopwatch.GetElapsedTime(started), operation);
        }
    }

    public static Task MeasureAsync(IMetrics metrics, string operation, Func<Task> call) =>
        MeasureAsync(metrics, operation, async () =>
        {
            await call();
            return true;
        });
}

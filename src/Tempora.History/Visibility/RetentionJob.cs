using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.Persistence;

namespace Tempora.History.Visibility;

/// <summary>
/// Deletes closed runs (execution, history, tasks, visibility row) once their namespace's retention period has
/// passed since they closed. It scans every <see cref="Interval"/>; being a scan of the stored close times rather
/// than an in-memory schedule, it picks up where it left off after a restart.
/// </summary>
public sealed partial class RetentionJob(HistoryEngine engine, IVisibilityStore visibility, TimeProvider time, ILogger<RetentionJob> logger)
    : IAsyncDisposable
{
    private const int Batch = 500;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Time between scans.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>One pass over every namespace; returns how many runs were deleted.</summary>
    public async Task<int> ScanAsync(CancellationToken ct)
    {
        var deleted = 0;
        foreach (var ns in await engine.Namespaces.ListAsync(ct))
        {
            var retention = ns.Config.WorkflowExecutionRetentionTtl?.ToTimeSpan() ?? NamespaceRegistry.DefaultRetention;
            var cutoff = time.GetUtcNow() - retention;
            IReadOnlyList<(string WorkflowId, string RunId)> expired;
            var progress = true;
            do
            {
                expired = await visibility.ListClosedBeforeAsync(ns.Id, cutoff, Batch, ct);
                progress = false;
                foreach (var (workflowId, runId) in expired)
                {
                    // On a cluster each process deletes the runs of its own shards; the others do theirs.
                    var key = new WorkflowKey(ns.Id, workflowId, runId);
                    if (engine.IsServedHere(key))
                    {
                        await engine.DeleteClosedRunAsync(key, ct);
                        deleted++;
                        progress = true;
                    }
                }
            }
            while (expired.Count == Batch && progress);
        }
        return deleted;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var deleted = await ScanAsync(ct);
                if (deleted > 0)
                {
                    LogDeleted(logger, deleted);
                }
                await Task.Delay(Interval, time, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
                await Task.Delay(Interval, time, CancellationToken.None);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Retention: deleted {Count} closed runs past their namespace's retention")]
    private static partial void LogDeleted(ILogger logger, int count);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Retention scan failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

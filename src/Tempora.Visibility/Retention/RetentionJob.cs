using Microsoft.Extensions.Logging;
using Tempora.Core;

namespace Tempora.Visibility.Retention;

/// <summary>
/// Deletes closed runs (execution, history, tasks, visibility row) once their namespace's retention period has
/// passed since they closed. It scans every interval given to <see cref="Start"/>; being a scan of the stored close times rather
/// than an in-memory schedule, it picks up where it left off after a restart. Runs are deleted through history
/// (<see cref="IRunDeleter"/>), which owns them.
/// </summary>
public sealed partial class RetentionJob(
    INamespaceRetentions namespaces, IRunDeleter runs, IVisibilityStore visibility, TimeProvider time, ILogger<RetentionJob> logger)
    : IAsyncDisposable
{
    private const int Batch = 500;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private TimeSpan _interval;

    /// <summary>Starts scanning, once right away and then every <paramref name="interval"/>.</summary>
    public void Start(TimeSpan interval)
    {
        _interval = interval;
        _loop ??= Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>
    /// One pass over every namespace; returns how many runs were deleted. Each namespace is scanned on its own: one
    /// that fails (its retention out of range, a row the store refuses) is logged and reported in
    /// <see cref="FailingNamespaces"/>, and the others are still cleaned.
    /// </summary>
    public async Task<int> ScanAsync(CancellationToken ct)
    {
        var deleted = 0;
        var failing = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var ns in await namespaces.ListAsync(ct))
        {
            try
            {
                deleted += await ScanNamespaceAsync(ns, ct);
            }
            catch (RetentionFailedException e) when (!ct.IsCancellationRequested)
            {
                deleted += e.Deleted;
                LogNamespaceFailed(logger, e.InnerException!, ns.Name);
                failing[ns.Name] = e.Message;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogNamespaceFailed(logger, e, ns.Name);
                failing[ns.Name] = e.Message;
            }
        }
        FailingNamespaces = failing;
        return deleted;
    }

    /// <summary>The namespaces whose last scan failed, with the reason (readiness reports them).</summary>
    public IReadOnlyDictionary<string, string> FailingNamespaces { get; private set; } = new Dictionary<string, string>();

    private async Task<int> ScanNamespaceAsync(NamespaceRetention ns, CancellationToken ct)
    {
        var retention = ns.Period.ToTimeSpan();
        var now = time.GetUtcNow();
        if (retention >= now - DateTimeOffset.UnixEpoch)
        {
            // Nothing can have closed that long ago (a retention stored before the bounds existed, say 9,000 years,
            // whose cut-off no date can hold).
            return 0;
        }
        var cutoff = now - retention;
        var deleted = 0;
        var failed = 0;
        Exception? firstFailure = null;
        IReadOnlyList<(string WorkflowId, string RunId)> expired;
        bool progress;
        do
        {
            expired = await visibility.ListClosedBeforeAsync(ns.Id, cutoff, Batch, ct);
            progress = false;
            foreach (var (workflowId, runId) in expired)
            {
                // On a cluster each process deletes the runs of its own shards; the others do theirs.
                var key = new WorkflowKey(ns.Id, workflowId, runId);
                if (!runs.IsServedHere(key))
                {
                    continue;
                }
                try
                {
                    await runs.DeleteClosedRunAsync(key, ct);
                    deleted++;
                    progress = true;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // One run that cannot go (its archiving fails, say) is kept for the next scan; the others still go.
                    failed++;
                    firstFailure ??= e;
                }
            }
        }
        while (expired.Count == Batch && progress);
        if (firstFailure is not null)
        {
            throw new RetentionFailedException(
                $"{failed} run(s) kept, {deleted} deleted; first failure: {firstFailure.Message}", deleted, firstFailure);
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
                await Task.Delay(_interval, time, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
                await Task.Delay(_interval, time, CancellationToken.None);
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

    [LoggerMessage(EventId = 3203, Level = LogLevel.Error, Message = "Retention scan of namespace {Namespace} failed; the other namespaces are still scanned, this one again at the next interval")]
    private static partial void LogNamespaceFailed(ILogger logger, Exception exception, string @namespace);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Retention scan failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

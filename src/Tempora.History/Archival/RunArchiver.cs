using Microsoft.Extensions.Logging;
using Tempora.Archival;
using Tempora.Core;
using Tempora.Core.Errors;
using Tempora.Core.Metrics;
using Tempora.Persistence;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Archival;

/// <summary>
/// Archives a closed run before retention deletes it, when its namespace archives history and/or visibility and the
/// cluster has that kind enabled. A failure throws, so that the run is kept; retention's next scan tries again. The
/// run's stored rows are the only state: nothing is remembered between attempts, so a restart loses nothing.
/// </summary>
public sealed partial class RunArchiver(
    HistoryEngine engine, IExecutionStore store, ArchivalSettings settings, HistoryArchiver histories, VisibilityArchiver visibility,
    IMetrics metrics, TimeProvider time, ILogger<RunArchiver> logger)
{
    public ArchivalSettings Settings => settings;

    /// <summary>Archives <paramref name="key"/> where its namespace asks; returns once it is durably archived (or need not be).</summary>
    public async Task ArchiveAsync(WorkflowKey key, CancellationToken ct)
    {
        var ns = await engine.Namespaces.GetByIdAsync(key.NamespaceId, ct);
        var history = Target(ns.Config.HistoryArchivalState, ns.Config.HistoryArchivalUri, settings.History);
        var visible = Target(ns.Config.VisibilityArchivalState, ns.Config.VisibilityArchivalUri, settings.Visibility);
        if (history is null && visible is null)
        {
            return;
        }
        var started = time.GetTimestamp();
        try
        {
            var record = await store.GetExecutionAsync(key, ct);
            if (record is null || record.Status == (int)WorkflowExecutionStatus.Running)
            {
                return; // nothing to archive: deletion leaves a running run alone and a missing one has nothing left
            }
            if (history is not null)
            {
                var events = new Temporalio.Api.History.V1.History();
                foreach (var batch in await store.ReadHistoryAsync(key, 1, long.MaxValue, ct))
                {
                    events.MergeFrom(new Google.Protobuf.CodedInputStream(batch.Data));
                }
                await histories.ArchiveAsync(history, settings.History, ns.Id, key.WorkflowId, key.RunId, events, ct);
            }
            if (visible is not null)
            {
                var described = await engine.DescribeWorkflowExecutionAsync(ns, new DescribeWorkflowExecutionRequest
                {
                    Namespace = ns.Name,
                    Execution = new WorkflowExecution { WorkflowId = key.WorkflowId, RunId = key.RunId },
                }, ct);
                await visibility.ArchiveAsync(visible, settings.Visibility, ns.Id, described.WorkflowExecutionInfo, ct);
            }
            metrics.Record(MetricNames.ArchiverArchiveLatency, time.GetElapsedTime(started), ns.Name);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            metrics.Increment(MetricNames.ArchiverArchiveErrors, ns.Name);
            LogArchiveFailed(logger, e, ns.Name, key.WorkflowId, key.RunId);
            throw new UnavailableException($"archiving {key.WorkflowId}/{key.RunId} failed, the run is kept until it is archived: {e.Message}");
        }
    }

    /// <summary>The URI to archive to, or null when this kind is not archived (off in the namespace or the cluster).</summary>
    private static ArchivalUri? Target(ArchivalState state, string uri, ArchivalKindSettings cluster) =>
        cluster.Enabled && state == ArchivalState.Enabled && uri.Length > 0 ? ArchivalUri.Parse(uri, "namespace archival URI") : null;

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning,
        Message = "Archiving {WorkflowId}/{RunId} of namespace {Namespace} failed; the run is kept and archived again at the next retention scan")]
    private static partial void LogArchiveFailed(ILogger logger, Exception exception, string @namespace, string workflowId, string runId);
}

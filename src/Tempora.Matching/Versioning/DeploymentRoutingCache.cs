using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.Core.Versioning;
using Tempora.Persistence.Deployments;

namespace Tempora.Matching.Versioning;

/// <summary>
/// This process's copy of the deployments' routing (<see cref="IDeploymentRouting"/>), read without a lock on the
/// task path. Reloaded whole from the store after every change made anywhere in the cluster (the propagation asks
/// each process to) and, where replicas share the store, every <see cref="RefreshInterval"/> as a safety net for a
/// process that missed a request (a process alone on its store makes every change itself, and stays idle when idle).
/// <see cref="RoutingChanged"/> fires when a queue's routing moved, so matching re-targets unpinned backlogs.
/// </summary>
public sealed class DeploymentRoutingCache : IDeploymentRouting, IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private readonly IWorkerDeploymentStore _store;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private readonly ITimer? _refresh;
    private volatile DeploymentRoutingView _view = DeploymentRoutingView.Empty;

    public DeploymentRoutingCache(IWorkerDeploymentStore store, TimeProvider time, ILogger<DeploymentRoutingCache> logger,
        bool sharedStore)
    {
        _store = store;
        _logger = logger;
        _refresh = sharedStore ? time.CreateTimer(_ => _ = RefreshAsync(), null, RefreshInterval, RefreshInterval) : null;
    }

    /// <summary>Raised after a reload that moved some queue's routing.</summary>
    public event Action? RoutingChanged;

    public TaskQueueRouting For(string namespaceId, string taskQueue, TaskKind kind) => _view.For(namespaceId, taskQueue, kind);

    public bool IsRegistered(string namespaceId, DeploymentVersion version, string taskQueue, TaskKind kind) =>
        _view.IsRegistered(namespaceId, version, taskQueue, kind);

    /// <summary>Reads the store and swaps the view in; answers once this process routes by what the store holds.</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        await _reload.WaitAsync(ct);
        try
        {
            var view = DeploymentRoutingView.Build(await _store.LoadRoutingAsync(ct));
            var before = _view;
            _view = view;
            if (!view.RoutesAs(before))
            {
                RoutingChanged?.Invoke();
            }
        }
        finally
        {
            _reload.Release();
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            await ReloadAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            // The database is away: keep routing by the last view; the next refresh tries again.
            _logger.LogWarning(e, "Could not reload the worker deployments' routing");
        }
    }

    public void Dispose() => _refresh?.Dispose();
}

using Tempora.Core;
using Tempora.Visibility.Retention;

namespace Tempora.History.Visibility;

/// <summary>Retention deletes runs through the engine, which owns them (and knows which shards are served here).</summary>
public sealed class HistoryRunDeleter(HistoryEngine engine) : IRunDeleter
{
    public bool IsServedHere(WorkflowKey key) => engine.IsServedHere(key);

    public Task DeleteClosedRunAsync(WorkflowKey key, CancellationToken ct) => engine.DeleteClosedRunAsync(key, ct);
}

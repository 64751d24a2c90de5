using Tempora.Core;
using Tempora.History.Archival;
using Tempora.Visibility.Retention;

namespace Tempora.History.Visibility;

/// <summary>
/// Retention deletes runs through the engine, which owns them (and knows which shards are served here), after archiving
/// them where their namespace asks: a run whose archiving fails is not deleted (<see cref="RunArchiver"/>).
/// </summary>
public sealed class HistoryRunDeleter(HistoryEngine engine, RunArchiver archiver) : IRunDeleter
{
    public bool IsServedHere(WorkflowKey key) => engine.IsServedHere(key);

    public async Task DeleteClosedRunAsync(WorkflowKey key, CancellationToken ct)
    {
        await archiver.ArchiveAsync(key, ct);
        await engine.DeleteClosedRunAsync(key, ct);
    }
}

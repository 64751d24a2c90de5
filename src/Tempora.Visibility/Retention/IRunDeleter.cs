using Tempora.Core;

namespace Tempora.Visibility.Retention;

/// <summary>Deletes runs for retention; history implements it, since it owns the runs and their shards.</summary>
public interface IRunDeleter
{
    /// <summary>Whether this process deletes <paramref name="key"/>: on a cluster each process deletes the runs of its own shards.</summary>
    bool IsServedHere(WorkflowKey key);

    /// <summary>Deletes a closed run: its execution, history, tasks and visibility row.</summary>
    Task DeleteClosedRunAsync(WorkflowKey key, CancellationToken ct);
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Tempora.Core;
using Tempora.History.Execution;
using Tempora.Persistence;

namespace Tempora.History.Updates;

/// <summary>
/// The rebuild check (<see cref="HistoryOptions.VerifyRebuild"/>): the run's state rebuilt from its stored history
/// (read once per load, then carried along) plus the events a commit writes, and the successor's from its events, must
/// match the states about to be stored; a mismatch fails the commit, naming the first member that differs.
/// </summary>
internal sealed partial class RebuildVerifier(HistoryReader history, ILogger logger)
{
    private readonly ConcurrentQueue<string> _mismatches = new();

    /// <summary>Every mismatch found; the tests expect none.</summary>
    public IReadOnlyCollection<string> Mismatches => _mismatches;

    /// <summary>Checks one commit; returns the rebuilt states for the next commit.</summary>
    public async Task<(MutableState? Run, MutableState? Successor)> VerifyAsync(ExecutionContext ctx, Transition t,
        ExecutionMutation mutation, bool created)
    {
        var firstNewEventId = mutation.NewHistory.Count > 0 ? mutation.NewHistory[0].FirstEventId : t.State.NextEventId;
        var rebuilt = created ? Identity(t.State) : ctx.Rebuilt ?? MutableStateRebuilder.Rebuild(Identity(t.State),
            await history.ReadEventsAsync(t.Key, 1, firstNewEventId, CancellationToken.None, fromStore: true));
        Check(t.Key, t.State, rebuilt, mutation.NewHistory);
        MutableState? successor = null;
        if (t.Successor is { } next && mutation.Successor is { } successorMutation)
        {
            successor = Identity(next.State);
            Check(next.Key, next.State, successor, successorMutation.NewHistory);
        }
        return (rebuilt, successor);

        static MutableState Identity(MutableState s) => MutableState.ForNewRun(s.NamespaceId, s.WorkflowId, s.RunId, s.StartRequestId, s.StartTime);
    }

    private void Check(WorkflowKey key, MutableState stored, MutableState rebuilding, IReadOnlyList<HistoryBatch> written)
    {
        foreach (var batch in written)
        {
            foreach (var e in Temporalio.Api.History.V1.History.Parser.ParseFrom(batch.Data).Events)
            {
                MutableStateRebuilder.Replay(rebuilding, e);
            }
        }
        var compared = rebuilding;
        if (stored.BufferedEvents.Count > 0)
        {
            // Buffered events were applied when they arrived but are written later: apply them to a copy.
            compared = StateSerializer.Deserialize(StateSerializer.Serialize(rebuilding));
            foreach (var e in stored.BufferedEvents)
            {
                EventApplier.Apply(compared, e);
            }
        }
        if (RebuildCheck.FirstDifference(stored, compared) is { } difference)
        {
            var mismatch = new RebuildMismatchException(key, difference);
            _mismatches.Enqueue(mismatch.Message);
            LogRebuildMismatch(logger, key.NamespaceId, key.WorkflowId, key.RunId, difference);
            throw mismatch;
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error,
        Message = "Rebuild check failed for {WorkflowId}/{RunId} in namespace {NamespaceId}: mutable state rebuilt from history differs at {Difference}")]
    private static partial void LogRebuildMismatch(ILogger logger, string namespaceId, string workflowId, string runId, string difference);
}

using System.Collections.Concurrent;
using Tempora.Core;
using Tempora.Persistence;
using Temporalio.Api.Query.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>Query tasks offered to workers and not answered yet, by query id (they live only in memory).</summary>
internal sealed class QueryTaskRegistry(ITaskDispatcher dispatcher, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, QueryTask> _queries = new(StringComparer.Ordinal);

    /// <summary>
    /// Hands a query to the pollers of <paramref name="taskQueue"/> (only those of <paramref name="pinnedTo"/>'s version
    /// for a pinned run) and remembers it until answered or removed. A query on a worker's sticky queue
    /// (<paramref name="sticky"/>) goes to that worker whatever its version.
    /// </summary>
    public QueryTask Offer(NamespaceRecord ns, WorkflowKey key, string taskQueue, string id, WorkflowQuery query, long historyEnd,
        TaskCompletionSource<RespondQueryTaskCompletedRequest> answer, Tempora.Core.Versioning.DeploymentVersion? pinnedTo = null,
        bool sticky = false)
    {
        var task = new QueryTask(id, query, historyEnd, answer);
        _queries[id] = task;
        dispatcher.Dispatch(new MatchingTask(0, new TaskQueueKey(ns.Id, taskQueue, TaskKind.Workflow), key.WorkflowId, key.RunId, 0, 1,
            time.GetUtcNow())
        { Query = task, PinnedTo = pinnedTo, Sticky = sticky });
        return task;
    }

    public bool TryGet(string id, out QueryTask query) => _queries.TryGetValue(id, out query!);

    public void Remove(string id) => _queries.TryRemove(id, out _);
}

using Temporalio.Api.Query.V1;

namespace Tempora.History.Api;

internal static class BufferedQueries
{
    /// <summary>
    /// Answers the buffered queries a workflow task completion carries results for (after it committed, as upstream's
    /// handleBufferedQueries); the others stay buffered for the next task, or go direct when none is scheduled.
    /// </summary>
    public static void Answer(ExecutionContext ctx, IDictionary<string, WorkflowQueryResult> results)
    {
        foreach (var (id, result) in results)
        {
            if (ctx.Queries.Remove(id, out var query))
            {
                query.Result.TrySetResult(result);
            }
        }
    }
}

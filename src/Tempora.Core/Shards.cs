using System.Text;

namespace Tempora.Core;

/// <summary>Executions hash into a fixed number of shards by namespace and workflow id (all runs of a workflow id
/// share a shard, so the current-run pointer and its runs are fenced together).</summary>
public static class Shards
{
    /// <summary>The shard of a workflow id, 1..<paramref name="count"/>; FNV-1a, stable across processes and versions.</summary>
    public static int Of(string namespaceId, string workflowId, int count)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(namespaceId + "/" + workflowId))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }
        return (int)(hash % (uint)count) + 1;
    }
}

namespace Tempora.Core;

/// <summary>Identifies one run of a workflow execution.</summary>
public readonly record struct WorkflowKey(string NamespaceId, string WorkflowId, string RunId)
{
    public override string ToString() => $"{WorkflowId}/{RunId}";
}

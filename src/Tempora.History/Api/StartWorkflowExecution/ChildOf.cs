using Temporalio.Api.Common.V1;

namespace Tempora.History.Api;

/// <summary>The parent of a run started as a child workflow.</summary>
internal sealed record ChildOf(string Namespace, string NamespaceId, WorkflowExecution Parent, long InitiatedEventId, WorkflowExecution Root);

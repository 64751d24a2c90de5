namespace Tempora.Worker.Batch;

/// <summary>A batch operation by namespace id and job id.</summary>
public readonly record struct BatchKey(string NamespaceId, string JobId);

namespace Tempora.History.Execution;

/// <summary>What a reset run takes over from the run it replaces: the children it keeps (by initiated event id).</summary>
internal sealed record ResetHandover(IReadOnlySet<long> Children);

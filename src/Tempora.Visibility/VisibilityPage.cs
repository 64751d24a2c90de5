namespace Tempora.Visibility;

/// <summary>One page of a list, and where the next one starts (null at the end).</summary>
public sealed record VisibilityPage(IReadOnlyList<VisibilityRecord> Records, VisibilityCursor? Next);

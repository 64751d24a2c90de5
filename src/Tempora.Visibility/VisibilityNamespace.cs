using Tempora.Visibility.Query;

namespace Tempora.Visibility;

/// <summary>The namespace a visibility request reads: its id and the custom search attributes registered in it.</summary>
public sealed record VisibilityNamespace(string Id, IReadOnlyDictionary<string, SearchAttributeType> CustomSearchAttributes);

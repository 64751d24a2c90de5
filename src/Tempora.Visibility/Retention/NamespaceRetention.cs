using Google.Protobuf.WellKnownTypes;

namespace Tempora.Visibility.Retention;

/// <summary>
/// A namespace as retention sees it. <see cref="Period"/> is kept as stored: a period no <see cref="TimeSpan"/> holds
/// fails the scan of its own namespace only.
/// </summary>
public sealed record NamespaceRetention(string Id, string Name, Duration Period);

namespace Tempora.Frontend.Authorization;

/// <summary>Who the caller is and the roles it holds, as Temporal's claim mappers produce them.</summary>
public sealed record Claims(string Subject, Role System, IReadOnlyDictionary<string, Role> Namespaces)
{
    /// <summary>What Temporal's no-op claim mapper gives every caller: a system admin.</summary>
    public static readonly Claims SystemAdmin = new("", Role.Admin, new Dictionary<string, Role>());

    public Role In(string ns) => Namespaces.TryGetValue(ns, out var role) ? role : Role.None;
}

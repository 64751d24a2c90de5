using Tempora.Core.Errors;
using Tempora.Persistence;
using Temporalio.Api.Enums.V1;

namespace Tempora.History;

/// <summary>
/// Which requests a namespace serves in each state, as Temporal's namespace validator
/// (common/rpc/interceptor/namespace_validator.go): a new start only while Registered, DeleteNamespace in any state,
/// every other request naming the namespace while Registered or Deprecated. DescribeNamespace and RegisterNamespace
/// are not checked.
/// </summary>
public static class NamespaceStates
{
    private static readonly NamespaceState[] RegisteredOnly = [NamespaceState.Registered];
    private static readonly NamespaceState[] Default = [NamespaceState.Registered, NamespaceState.Deprecated];

    /// <summary>The namespace's state; a row written before states were kept is Registered.</summary>
    public static NamespaceState Of(NamespaceRecord ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return ns.Info.State == NamespaceState.Unspecified ? NamespaceState.Registered : ns.Info.State;
    }

    /// <summary>Returns the namespace when <paramref name="method"/> (the gRPC method path) may be served in its state,
    /// else throws NamespaceInvalidState (FailedPrecondition).</summary>
    public static NamespaceRecord Check(NamespaceRecord ns, string method)
    {
        var allowed = AllowedFor(method);
        var state = Of(ns);
        return Array.IndexOf(allowed, state) >= 0 ? ns : throw new NamespaceInvalidStateException(ns.Name, state, allowed);
    }

    /// <summary>Whether <paramref name="method"/> may be served in the namespace's state.</summary>
    public static bool Allows(NamespaceRecord ns, string method) => Array.IndexOf(AllowedFor(method), Of(ns)) >= 0;

    private static NamespaceState[] AllowedFor(string method) =>
        method.EndsWith("/StartWorkflowExecution", StringComparison.Ordinal)
            || method.EndsWith("/SignalWithStartWorkflowExecution", StringComparison.Ordinal)
            ? RegisteredOnly
            : Default;

    /// <summary>The state changes UpdateNamespace allows (Temporal's validateStateUpdate).</summary>
    public static void CheckTransition(NamespaceState from, NamespaceState to)
    {
        var allowed = from switch
        {
            NamespaceState.Registered => to is NamespaceState.Deprecated or NamespaceState.Deleted,
            NamespaceState.Deprecated => to is NamespaceState.Deleted,
            _ => false,
        };
        if (!allowed)
        {
            throw new InvalidArgumentException("Invalid namespace state update.");
        }
    }
}

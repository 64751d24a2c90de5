using Tempora.Archival;
using Tempora.Core.Errors;
using Temporalio.Api.Enums.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// A namespace's archival state and URI for one kind, changed as Temporal's archival config state machine changes
/// them: a URI once set never changes; enabling without a URI takes the namespace default URI; a URI must parse and
/// its provider be configured. Where Temporal silently ignores archival fields (the cluster has the kind disabled),
/// they are refused here, naming the setting, since they would not be honoured.
/// </summary>
internal static class NamespaceArchival
{
    /// <summary>The (state, URI) a RegisterNamespace request gives: unset state means the namespace default.</summary>
    public static (ArchivalState State, string Uri) Register(ArchivalState state, string uri, ArchivalKindSettings cluster, string kind, string field)
    {
        if (!cluster.Enabled)
        {
            RefuseWhenClusterDisabled(state, uri, kind, field);
            return (ArchivalState.Disabled, "");
        }
        if (state == ArchivalState.Unspecified)
        {
            state = cluster.NamespaceDefaultEnabled ? ArchivalState.Enabled : ArchivalState.Disabled;
        }
        return Next((ArchivalState.Disabled, ""), state, uri, cluster, kind, field);
    }

    /// <summary>The (state, URI) after an UpdateNamespace request (its config set).</summary>
    public static (ArchivalState State, string Uri) Update((ArchivalState State, string Uri) current, ArchivalState state, string uri,
        ArchivalKindSettings cluster, string kind, string field)
    {
        if (!cluster.Enabled)
        {
            RefuseWhenClusterDisabled(state, uri, kind, field);
            return current;
        }
        return Next(current, state, uri, cluster, kind, field);
    }

    private static (ArchivalState State, string Uri) Next((ArchivalState State, string Uri) current, ArchivalState state, string uri,
        ArchivalKindSettings cluster, string kind, string field)
    {
        if (current.Uri.Length > 0 && uri.Length > 0 && uri != current.Uri)
        {
            throw new InvalidArgumentException("Cannot update existing archival URI");
        }
        var nextUri = current.Uri.Length > 0 ? current.Uri : uri;
        var nextState = state == ArchivalState.Unspecified ? current.State : state;
        if (nextState == ArchivalState.Enabled && nextUri.Length == 0)
        {
            nextUri = cluster.NamespaceDefaultUri ?? throw new InvalidArgumentException(
                $"{field}_archival_uri is not set and the cluster has no default (namespaceDefaults:archival:{kind}:URI); give the URI to archive to.");
        }
        if (nextUri.Length > 0 && nextUri != current.Uri)
        {
            var parsed = ArchivalUri.Parse(nextUri, $"{field}_archival_uri");
            if (cluster.MissingProvider(parsed.Scheme, kind) is { } missing)
            {
                throw new InvalidArgumentException($"Invalid archival URI {nextUri} ({field}_archival_uri): the cluster has no {parsed.Scheme} provider configured ({missing}).");
            }
        }
        return (nextState, nextUri);
    }

    private static void RefuseWhenClusterDisabled(ArchivalState state, string uri, string kind, string field)
    {
        if (state == ArchivalState.Enabled || uri.Length > 0)
        {
            throw new InvalidArgumentException(
                $"{field}_archival_{(uri.Length > 0 ? "uri" : "state")}: the cluster is not configured for {kind} archival (archival:{kind}:state is disabled).");
        }
    }
}

namespace Tempora.Frontend;

/// <summary>
/// The one cluster a Tempora deployment is, named as Temporal's single-cluster configuration names it, so that
/// GetClusterInfo, ListClusters and namespaces' replication settings agree.
/// </summary>
internal static class LocalCluster
{
    public const string Name = "active";

    public const string Id = "tempora";

    /// <summary>What Temporal's single-cluster configurations (and the CLI's dev server) set; Tempora has no failover.</summary>
    public const long InitialFailoverVersion = 1;
}

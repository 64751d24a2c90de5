namespace Tempora.History;

/// <summary>Temporal's default limits (temporal-compat.md §7); the configurable size limits are in <see cref="PayloadLimits"/>.</summary>
public static class HistoryLimits
{
    public const int MaxIdLength = 1000;
    public const int HistoryCountError = 51_200;
    public const long HistorySizeError = 50L * 1024 * 1024;
    public const int PendingActivitiesLimit = 2000;
    public const int PendingChildrenLimit = 2000;
    public const int PendingExternalRequestsLimit = 2000;

    /// <summary>Temporal's Nexus defaults (component.nexusoperations.limit.*, system.maxCallbacksPerWorkflow).</summary>
    public const int PendingNexusOperationsLimit = 30;
    public const int MaxNexusServiceNameLength = 1000;
    public const int MaxNexusOperationNameLength = 1000;
    public const int MaxNexusOperationTokenLength = 4096;
    public const int MaxNexusHeaderSize = 4096;
    public const int MaxCallbacksPerWorkflow = 32;
    public const int MaxCallbackUrlLength = 1000;
    public const int MaxCallbackHeaderSize = 8192;

    /// <summary>How long one Nexus start or cancel request may take (component.nexusoperations.request.timeout).</summary>
    public static readonly TimeSpan NexusRequestTimeout = TimeSpan.FromSeconds(10);
    public const int SignalsPerExecution = 10_000;

    /// <summary>Updates admitted or accepted and not completed, per run (history.maxInFlightUpdates).</summary>
    public const int MaxInFlightUpdates = 10;
    public const int HistoryMaxPageSize = 1000;
    public static readonly TimeSpan DefaultWorkflowTaskTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxWorkflowTaskTimeout = TimeSpan.FromSeconds(120);

    /// <summary>How long history long polls wait before answering with nothing new (well below client deadlines).</summary>
    public static readonly TimeSpan LongPollExpiration = TimeSpan.FromSeconds(20);
}

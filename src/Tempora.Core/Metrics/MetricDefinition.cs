namespace Tempora.Core.Metrics;

/// <summary>How a metric is exported.</summary>
public enum MetricKind
{
    /// <summary>Only goes up (Prometheus counter; exported without a <c>_total</c> suffix, as Temporal's are).</summary>
    Counter,

    /// <summary>Durations in seconds (Prometheus histogram: <c>_bucket</c>, <c>_sum</c>, <c>_count</c>).</summary>
    Histogram,

    /// <summary>A value that goes up and down.</summary>
    Gauge,
}

/// <summary>
/// One metric: its Temporal name, kind, the role that reports it (exported as Temporal's <c>service_name</c> label),
/// help text and the label names its series carry (bounded sets only).
/// </summary>
public sealed record MetricDefinition(string Name, MetricKind Kind, string Service, string Help, params string[] Labels)
{
    /// <summary>The label every series carries with <see cref="Service"/> as its value.</summary>
    public const string ServiceLabel = "service_name";

    /// <summary>Label values for series of requests that name no namespace, or one that does not exist (as Temporal).</summary>
    public const string UnknownNamespace = "_unknown_";
}

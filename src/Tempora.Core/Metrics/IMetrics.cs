namespace Tempora.Core.Metrics;

/// <summary>
/// Where the engine reports what it does. Label values are passed in the order of <see cref="MetricDefinition.Labels"/>;
/// they must come from bounded sets (operation, namespace, task type), never workflow ids.
/// </summary>
public interface IMetrics
{
    /// <summary>Adds <paramref name="delta"/> to a counter.</summary>
    void Add(MetricDefinition metric, double delta, params string[] labels);

    /// <summary>Records one duration in a histogram.</summary>
    void Record(MetricDefinition metric, TimeSpan duration, params string[] labels);

    /// <summary>Sets a gauge.</summary>
    void Set(MetricDefinition metric, double value, params string[] labels);

    /// <summary>
    /// Drops the series of these label values (a task queue unloaded), so that a name seen once does not stay in the
    /// export for good; a later report starts the series again from zero.
    /// </summary>
    void Remove(MetricDefinition metric, params string[] labels);
}

/// <summary>Shorthands over <see cref="IMetrics"/>.</summary>
public static class MetricsExtensions
{
    /// <summary>Adds one to a counter.</summary>
    public static void Increment(this IMetrics metrics, MetricDefinition metric, params string[] labels)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics.Add(metric, 1, labels);
    }
}

/// <summary>Discards everything: metrics turned off, and unit tests.</summary>
public sealed class NullMetrics : IMetrics
{
    public static readonly NullMetrics Instance = new();

    public void Add(MetricDefinition metric, double delta, params string[] labels)
    {
    }

    public void Record(MetricDefinition metric, TimeSpan duration, params string[] labels)
    {
    }

    public void Set(MetricDefinition metric, double value, params string[] labels)
    {
    }

    public void Remove(MetricDefinition metric, params string[] labels)
    {
    }
}

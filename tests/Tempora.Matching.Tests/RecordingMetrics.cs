using Tempora.Core.Metrics;

namespace Tempora.Matching.Tests;

/// <summary>Keeps which metric series exist, so that a test sees a queue's series go when it is unloaded.</summary>
internal sealed class RecordingMetrics : IMetrics
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _series = [];

    public bool Has(MetricDefinition metric, params string[] labels)
    {
        lock (_lock)
        {
            return _series.Contains(Key(metric, labels));
        }
    }

    public void Add(MetricDefinition metric, double delta, params string[] labels) => Keep(metric, labels);

    public void Record(MetricDefinition metric, TimeSpan duration, params string[] labels) => Keep(metric, labels);

    public void Set(MetricDefinition metric, double value, params string[] labels) => Keep(metric, labels);

    public void Remove(MetricDefinition metric, params string[] labels)
    {
        lock (_lock)
        {
            _series.Remove(Key(metric, labels));
        }
    }

    private void Keep(MetricDefinition metric, string[] labels)
    {
        lock (_lock)
        {
            _series.Add(Key(metric, labels));
        }
    }

    private static string Key(MetricDefinition metric, string[] labels) => metric.Name + "{" + string.Join(",", labels) + "}";
}

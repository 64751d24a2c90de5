using System.Collections.Concurrent;
using Tempora.Core.Metrics;

namespace Tempora.Server.Observability;

/// <summary>
/// Bounds what clients can put into metric labels: task queue names, namespaces and the like come from requests, and
/// every distinct value is a series kept for good. Each label name admits at most <paramref name="maxValues"/>
/// distinct values; later ones are reported as <see cref="Omitted"/> (Temporal's value when
/// metrics.breakdownByTaskQueue is off), until a value is released because its series were removed (an unloaded task
/// queue). A value longer than <paramref name="maxLength"/> characters is cut to that length.
/// </summary>
internal sealed class MetricLabelLimit(int maxValues, int maxLength)
{
    /// <summary>The label value every value past the limit is folded into.</summary>
    public const string Omitted = "__omitted__";

    private readonly ConcurrentDictionary<string, LabelValues> _byLabel = new(StringComparer.Ordinal);

    /// <summary>The values to report: each admitted as itself (cut to length) while there is room, else <see cref="Omitted"/>.</summary>
    public string[] Admit(MetricDefinition metric, string[] labels)
    {
        string[]? bounded = null;
        for (var i = 0; i < labels.Length && i < metric.Labels.Length; i++)
        {
            var value = Admit(metric.Labels[i], labels[i]);
            if (!ReferenceEquals(value, labels[i]))
            {
                bounded ??= (string[])labels.Clone();
                bounded[i] = value;
            }
        }
        return bounded ?? labels;
    }

    /// <summary>The values as reported if every one of them was admitted; null when one was folded into <see cref="Omitted"/>.</summary>
    public string[]? AsAdmitted(MetricDefinition metric, string[] labels)
    {
        var reported = new string[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            var value = Cut(labels[i]);
            if (i < metric.Labels.Length && !Values(metric.Labels[i]).Contains(value))
            {
                return null;
            }
            reported[i] = value;
        }
        return reported;
    }

    /// <summary>Frees a value's place once no series carries it any more.</summary>
    public void Release(string label, string value) => Values(label).Release(value);

    private string Admit(string label, string value) =>
        Values(label).TryAdmit(Cut(value), maxValues) is { } admitted ? admitted : Omitted;

    private string Cut(string value) => value.Length > maxLength ? value[..maxLength] : value;

    private LabelValues Values(string label) => _byLabel.GetOrAdd(label, _ => new LabelValues());

    /// <summary>The admitted values of one label name.</summary>
    private sealed class LabelValues
    {
        private readonly ConcurrentDictionary<string, byte> _values = new(StringComparer.Ordinal);
        private readonly Lock _admitting = new();

        public bool Contains(string value) => _values.ContainsKey(value);

        /// <summary>The value when admitted (now or before); null when the label is full.</summary>
        public string? TryAdmit(string value, int maxValues)
        {
            if (_values.ContainsKey(value))
            {
                return value;
            }
            lock (_admitting)
            {
                if (_values.Count >= maxValues && !_values.ContainsKey(value))
                {
                    return null;
                }
                _values.TryAdd(value, 0);
                return value;
            }
        }

        public void Release(string value)
        {
            lock (_admitting)
            {
                _values.TryRemove(value, out _);
            }
        }
    }
}

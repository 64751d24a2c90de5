using System.Collections.Frozen;
using Prometheus;
using Tempora.Core.Metrics;

namespace Tempora.Server.Observability;

/// <summary>
/// <see cref="IMetrics"/> over a prometheus-net registry of this server's own (several servers can share a test
/// process), plus process and .NET runtime metrics. Exported in the classic Prometheus text format, in which counters
/// keep their names as given: Temporal's are <c>service_requests</c>, not <c>service_requests_total</c>. Label values
/// pass through a <see cref="MetricLabelLimit"/>, since clients choose many of them (task queue names above all).
/// </summary>
internal sealed class PrometheusMetrics : IMetrics, IDisposable
{
    /// <summary>Temporal's default latency buckets span 1 ms to minutes; long polls end around 60 s.</summary>
    private static readonly double[] LatencyBuckets =
        [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

    private readonly FrozenDictionary<MetricDefinition, Collector> _collectors;
    private readonly IDisposable _runtimeMeters;
    private readonly MetricLabelLimit _labelLimit;
    private readonly Lock _removing = new();

    /// <param name="maxLabelValues">Distinct values each label name may take (<see cref="TemporaOptions.MetricLabelMaxValues"/>).</param>
    /// <param name="maxLabelLength">Characters kept of a label value (<see cref="TemporaOptions.MetricLabelMaxLength"/>).</param>
    public PrometheusMetrics(int maxLabelValues = TemporaOptions.DefaultMetricLabelMaxValues,
        int maxLabelLength = TemporaOptions.DefaultMetricLabelMaxLength)
    {
        _labelLimit = new MetricLabelLimit(maxLabelValues, maxLabelLength);
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        var collectors = new Dictionary<MetricDefinition, Collector>();
        foreach (var metric in MetricNames.All)
        {
            // service_name is fixed per metric: a static label, so callers pass only the varying ones.
            var roleFactory = factory.WithLabels(new Dictionary<string, string> { [MetricDefinition.ServiceLabel] = metric.Service });
            collectors[metric] = metric.Kind switch
            {
                MetricKind.Counter => roleFactory.CreateCounter(metric.Name, metric.Help, metric.Labels),
                MetricKind.Histogram => roleFactory.CreateHistogram(metric.Name, metric.Help, metric.Labels,
                    new HistogramConfiguration { Buckets = LatencyBuckets }),
                _ => roleFactory.CreateGauge(metric.Name, metric.Help, metric.Labels),
            };
        }
        _collectors = collectors.ToFrozenDictionary();

        // process_cpu_seconds_total, process_working_set_bytes, process_start_time_seconds, dotnet_collection_count_total…
        DotNetStats.Register(Registry);
        // The runtime's own meter (GC, thread pool, JIT); the other meters (Kestrel, Npgsql) stay out because some
        // label by endpoint or connection. Its exception counter stays out too: it is recorded on the throwing thread,
        // inside whatever runs there, and the adapter may start a Task from it — which, in a process that also hosts a
        // Temporal SDK worker (the end-to-end tests), lands in a workflow's deterministic scheduler and fails its task.
        _runtimeMeters = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = factory,
            InstrumentFilterPredicate = instrument => instrument.Meter.Name == "System.Runtime" && instrument.Name != "dotnet.exceptions",
        });
    }

    /// <summary>The registry /metrics exports.</summary>
    public CollectorRegistry Registry { get; }

    public void Add(MetricDefinition metric, double delta, params string[] labels) =>
        ((Counter)_collectors[metric]).WithLabels(_labelLimit.Admit(metric, labels)).Inc(delta);

    public void Record(MetricDefinition metric, TimeSpan duration, params string[] labels) =>
        ((Histogram)_collectors[metric]).WithLabels(_labelLimit.Admit(metric, labels)).Observe(duration.TotalSeconds);

    public void Set(MetricDefinition metric, double value, params string[] labels) =>
        ((Gauge)_collectors[metric]).WithLabels(_labelLimit.Admit(metric, labels)).Set(value);

    /// <summary>
    /// Drops one series, and frees the place of each of its label values that no series carries any more. A series
    /// folded into <see cref="MetricLabelLimit.Omitted"/> is shared with other values and stays.
    /// </summary>
    public void Remove(MetricDefinition metric, params string[] labels)
    {
        if (_labelLimit.AsAdmitted(metric, labels) is not { } reported)
        {
            return;
        }
        lock (_removing)
        {
            // WithLabels makes the series if it was never reported; Remove drops it either way.
            switch (_collectors[metric])
            {
                case Counter counter:
                    counter.WithLabels(reported).Remove();
                    break;
                case Histogram histogram:
                    histogram.WithLabels(reported).Remove();
                    break;
                case Gauge gauge:
                    gauge.WithLabels(reported).Remove();
                    break;
            }
            for (var i = 0; i < reported.Length; i++)
            {
                if (!InUse(metric.Labels[i], reported[i]))
                {
                    _labelLimit.Release(metric.Labels[i], reported[i]);
                }
            }
        }
    }

    /// <summary>True when some series of some metric with the label carries the value.</summary>
    private bool InUse(string label, string value)
    {
        foreach (var (metric, collector) in _collectors)
        {
            var index = Array.IndexOf(metric.Labels, label);
            if (index < 0)
            {
                continue;
            }
            var all = collector switch
            {
                Counter c => c.GetAllLabelValues(),
                Histogram h => h.GetAllLabelValues(),
                Gauge g => g.GetAllLabelValues(),
                _ => [],
            };
            if (all.Any(values => values[index] == value))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Writes every series in the Prometheus text format (0.0.4).</summary>
    public Task ExportAsync(Stream stream, CancellationToken ct) =>
        Registry.CollectAndExportAsTextAsync(stream, ExpositionFormat.PrometheusText, ct);

    public void Dispose() => _runtimeMeters.Dispose();
}

using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static Tempora.Bench.Stats;

namespace Tempora.Bench;

/// <summary>
/// The server's own latency histograms (Prometheus text from its /metrics), read before and after a run: per gRPC
/// operation (<c>service_latency</c>) and per store call (<c>persistence_latency</c>), how many calls one workflow
/// made and how long the server took for each on average. It shows where a workflow's time goes inside the server,
/// without a profiler. Long polls count their waiting time too.
/// </summary>
internal sealed partial class ServerMetrics
{
    private static readonly string[] Histograms = ["service_latency", "persistence_latency"];

    private readonly Dictionary<(string Metric, string Operation), (double Sum, double Count)> _totals;
    private readonly RuntimeCounters _runtime;

    private ServerMetrics(Dictionary<(string, string), (double, double)> totals, RuntimeCounters runtime)
    {
        _totals = totals;
        _runtime = runtime;
    }

    /// <summary>The server's runtime counters (System.Runtime meter) at the scrape.</summary>
    public RuntimeCounters Runtime => _runtime;

    public static async Task<ServerMetrics?> ScrapeAsync(string? url, CancellationToken ct)
    {
        if (url is null)
        {
            return null;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync(url, ct);
        var totals = new Dictionary<(string, string), (double, double)>();
        var runtime = new RuntimeCounters();
        foreach (var line in text.Split('\n'))
        {
            runtime = runtime.With(line);
            var m = SampleLine().Match(line);
            if (!m.Success || !Histograms.Contains(m.Groups["metric"].Value))
            {
                continue;
            }
            var op = OperationLabel().Match(m.Groups["labels"].Value);
            if (!op.Success)
            {
                continue;
            }
            var key = (m.Groups["metric"].Value, op.Groups[1].Value);
            var value = double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
            totals.TryGetValue(key, out var t);
            // Several label sets (namespaces, services) of one operation add up.
            totals[key] = m.Groups["part"].Value == "sum" ? (t.Item1 + value, t.Item2) : (t.Item1, t.Item2 + value);
        }
        return new ServerMetrics(totals, runtime);
    }

    /// <summary>{"service_latency": {"Op": [calls per workflow, mean ms]}, "persistence_latency": {…}} over the run.</summary>
    public JsonObject Since(ServerMetrics before, int workflows)
    {
        var n = (double)Math.Max(1, workflows);
        var result = new JsonObject();
        foreach (var metric in Histograms)
        {
            var ops = new JsonObject();
            foreach (var ((name, op), after) in _totals.Where(t => t.Key.Metric == metric).OrderBy(t => t.Key.Operation, StringComparer.Ordinal))
            {
                var b = before._totals.TryGetValue((name, op), out var x) ? x : default;
                var calls = after.Count - b.Count;
                if (calls > 0)
                {
                    ops[op] = new JsonArray(R(calls / n), R((after.Sum - b.Sum) * 1000 / calls));
                }
            }
            result[metric] = ops;
        }
        return result;
    }

    [GeneratedRegex(@"^(?<metric>\w+)_(?<part>sum|count)\{(?<labels>[^}]*)\} (?<value>\S+)")]
    private static partial Regex SampleLine();

    [GeneratedRegex("operation=\"([^\"]+)\"")]
    private static partial Regex OperationLabel();
}

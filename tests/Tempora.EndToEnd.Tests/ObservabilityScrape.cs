using System.Globalization;
using System.Net;

namespace Tempora.EndToEnd.Tests;

/// <summary>One Prometheus scrape of a server's /metrics, parsed into series → value.</summary>
internal sealed class ObservabilityScrape
{
    private ObservabilityScrape(string text, Dictionary<string, double> series)
    {
        Text = text;
        Series = series;
    }

    /// <summary>The exposition text as served.</summary>
    public string Text { get; }

    /// <summary>Series as written (name{labels}) → value.</summary>
    public IReadOnlyDictionary<string, double> Series { get; }

    public static async Task<ObservabilityScrape> ScrapeAsync(HttpClient http, string metricsAddress)
    {
        using var response = await http.GetAsync(new Uri($"http://{metricsAddress}/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var space = line.LastIndexOf(' ');
            series[line[..space]] = double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return new ObservabilityScrape(text, series);
    }

    /// <summary>
    /// The sum over the series of a metric whose labels include the given ones, in any order: <c>name{a="1"}</c> adds
    /// up <c>name{a="1",b="x"}</c> and <c>name{b="y",a="1"}</c>. 0 when none is present (a labelled counter appears
    /// on its first increment).
    /// </summary>
    public double Value(string query)
    {
        var (name, wanted) = SplitSeries(query);
        return Series.Where(s =>
            {
                var (seriesName, labels) = SplitSeries(s.Key);
                return seriesName == name && wanted.All(w => labels.Contains(w));
            })
            .Sum(s => s.Value);
    }

    /// <summary>Label values of a label over a metric's series (for example every taskqueue of poll_success).</summary>
    public IReadOnlySet<string> LabelValues(string metric, string label) => Series.Keys
        .Select(SplitSeries)
        .Where(s => s.Name == metric)
        .SelectMany(s => s.Labels)
        .Where(l => l.StartsWith(label + "=\"", StringComparison.Ordinal))
        .Select(l => l[(label.Length + 2)..^1])
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>name{a="1",b="2"} → (name, [a="1", b="2"]). Label values here never hold commas or quotes.</summary>
    private static (string Name, string[] Labels) SplitSeries(string series)
    {
        var brace = series.IndexOf('{', StringComparison.Ordinal);
        return brace < 0
            ? (series, [])
            : (series[..brace], series[(brace + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Whether any series of the metric family is present.</summary>
    public bool Has(string name) => Series.Keys.Any(k => k == name || k.StartsWith(name + "{", StringComparison.Ordinal));
}

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

    /// <summary>The value of one series, 0 when absent (a labelled counter appears on its first increment).</summary>
    public double Value(string series) => Series.TryGetValue(series, out var value) ? value : 0;

    /// <summary>Whether any series of the metric family is present.</summary>
    public bool Has(string name) => Series.Keys.Any(k => k == name || k.StartsWith(name + "{", StringComparison.Ordinal));
}

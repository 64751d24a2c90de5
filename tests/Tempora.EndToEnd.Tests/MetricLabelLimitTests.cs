namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Task queue names reach metric labels straight from clients: each label admits a bounded number of distinct values
/// (TEMPORA_METRIC_LABEL_MAX_VALUES, 50 here), later ones are exported as "__omitted__", and a value is cut to
/// TEMPORA_METRIC_LABEL_MAX_LENGTH characters (64 here).
/// </summary>
public sealed class MetricLabelLimitTests
{
    private const int MaxValues = 50;
    private const int MaxLength = 64;

    [Fact]
    public async Task ManyQueueNames_DistinctTaskqueueLabelsBounded_LongNameCut()
    {
        await using var server = await MemoryBoundServer.StartAsync("metric-labels", new Dictionary<string, string>
        {
            ["TEMPORA_METRIC_LABEL_MAX_VALUES"] = MaxValues.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TEMPORA_METRIC_LABEL_MAX_LENGTH"] = MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var prefix = ServerFixture.NewTaskQueue("label");
        var longName = prefix + "-" + new string('x', 300);

        var answered = await server.ShortPollAsync(longName) ? 1 : 0;
        var names = Enumerable.Range(0, MaxValues * 4).Select(i => $"{prefix}-{i}").ToList();
        foreach (var chunk in names.Chunk(25))
        {
            answered += (await Task.WhenAll(chunk.Select(name => server.ShortPollAsync(name)))).Count(a => a);
        }
        var scrape = await server.ScrapeAsync();
        var labels = scrape.LabelValues("poll_timeouts", "taskqueue");

        Assert.Contains(longName[..MaxLength], labels);
        Assert.DoesNotContain(labels, l => l.Length > MaxLength);
        Assert.Contains("__omitted__", labels);
        Assert.InRange(labels.Count, MaxValues, MaxValues + 1);
        // Every empty poll is still counted, the folded ones under "__omitted__" (one the client gave up on may not be).
        Assert.InRange(scrape.Value("poll_timeouts{task_type=\"Workflow\"}"), answered, names.Count + 1);
    }
}

using System.Text.RegularExpressions;
using Temporalio.Client;

namespace Tempora.Web.Tests;

/// <summary>
/// Posting the UI's forms from plain HTTP the way a browser does: with the antiforgery token of a page the UI
/// rendered for this client (its cookie stays in the client's cookie container).
/// </summary>
public static partial class UiForms
{
    /// <summary>The hidden field every POST form of the UI carries.</summary>
    public const string TokenField = "__af";

    private static readonly SemaphoreSlim StartLock = new(1, 1);
    private static string? _runPath;

    /// <summary>
    /// The antiforgery field for <paramref name="http"/>: read from a run's page (its query form is always there), the
    /// run started once per test process by the fixture's client.
    /// </summary>
    public static async Task<KeyValuePair<string, string>> TokenAsync(HttpClient http, UiServerFixture fixture)
    {
        var page = await http.GetStringAsync(new Uri(fixture.UiBase, await RunPathAsync(fixture)));
        return new(TokenField, TokenOf(page) ?? throw new InvalidOperationException("The run's page has no antiforgery token."));
    }

    /// <summary>The fields with the antiforgery token added, as an HTML form of the UI posts them.</summary>
    public static async Task<FormUrlEncodedContent> FormAsync(HttpClient http, UiServerFixture fixture, IEnumerable<KeyValuePair<string, string>> fields) =>
        new(fields.Append(await TokenAsync(http, fixture)));

    /// <summary>The token in a page's forms, or null when it has none.</summary>
    public static string? TokenOf(string page) => TokenPattern().Match(page) is { Success: true } match ? match.Groups[1].Value : null;

    private static async Task<string> RunPathAsync(UiServerFixture fixture)
    {
        await StartLock.WaitAsync();
        try
        {
            if (_runPath is null)
            {
                var handle = await fixture.Client.StartWorkflowAsync((GreetingWorkflow wf) => wf.RunAsync("forms"),
                    new WorkflowOptions($"form-token-{Guid.NewGuid():N}", fixture.TaskQueue));
                _runPath = $"/namespaces/default/workflows/{handle.Id}/{handle.ResultRunId}/history";
            }
            return _runPath;
        }
        finally
        {
            StartLock.Release();
        }
    }

    [GeneratedRegex("name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}

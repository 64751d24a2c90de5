using System.Text.Json;
using Temporalio.Client;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// `--log-format json`: every line the server logs is one JSON object with a stable event id, and the workflow id,
/// run id and namespace are properties of it rather than only words in the message.
/// </summary>
public sealed class ObservabilityLogTests
{
    [Fact]
    public async Task JsonLogs_WorkflowTaskFailedByServer_CarriesIdsAsProperties()
    {
        using var database = new TestDatabase("json-logs");
        await using var server = await TemporaProcess.StartAsync(new TemporaProcessOptions
        {
            DbFile = database.DbFile,
            LogLevel = "info",
            LogName = "json-logs",
            ExtraArguments = ["--log-format", "json"],
        });
        var client = await TemporalClient.ConnectAsync(new(server.Address));
        var taskQueue = ServerFixture.NewTaskQueue("json-logs");
        var workflowId = ServerFixture.NewWorkflowId("json-logs");
        using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue).AddWorkflow<VisUpsertUnknownWorkflow>());
        JsonElement? failure = null;
        await worker.ExecuteAsync(async () =>
        {
            // The upsert names an attribute no namespace registered: the server fails the workflow task and logs why.
            var handle = await client.StartWorkflowAsync((VisUpsertUnknownWorkflow wf) => wf.RunAsync(false), new(workflowId, taskQueue));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (failure is null && DateTime.UtcNow < deadline)
            {
                failure = JsonLines(server).Cast<JsonElement?>().FirstOrDefault(e =>
                    e!.Value.GetProperty("EventId").GetInt32() == 3001
                    && e.Value.GetProperty("State").GetProperty("WorkflowId").GetString() == workflowId);
                await Task.Delay(200);
            }
            await handle.TerminateAsync("test done");
        });

        Assert.True(failure is not null, $"no EventId 3001 line for {workflowId} in {server.LogFile}");
        var state = failure.Value.GetProperty("State");
        Assert.Equal("Warning", failure.Value.GetProperty("LogLevel").GetString());
        Assert.False(string.IsNullOrEmpty(state.GetProperty("RunId").GetString()));
        Assert.False(string.IsNullOrEmpty(state.GetProperty("NamespaceId").GetString()));
        Assert.Contains("BadSearchAttributes", state.GetProperty("Cause").GetString(), StringComparison.OrdinalIgnoreCase);

        // Startup lines are JSON too, with their own event ids: the listening line (1) names the address.
        var lines = JsonLines(server);
        Assert.Contains(lines, e => e.GetProperty("EventId").GetInt32() == 1
            && e.GetProperty("State").GetProperty("Address").GetString() == server.Address);
        Assert.All(lines, e =>
        {
            Assert.True(e.TryGetProperty("Timestamp", out _));
            Assert.True(e.TryGetProperty("Category", out _));
        });
    }

    /// <summary>The server's stdout lines that are log entries; the start-dev banner is plain text and skipped.</summary>
    private static List<JsonElement> JsonLines(TemporaProcess server) => server.OutputLines
        .Where(l => l.StartsWith('{'))
        .Select(l => JsonDocument.Parse(l).RootElement.Clone())
        .ToList();
}

using System.Net;
using System.Text.Json;
using Npgsql;
using Tempora.Persistence;
using Tempora.Server;
using Tempora.Visibility;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// A visibility outbox row the visibility database refuses (written past the frontend's checks, as an older version
/// could) is parked in visibility_tasks_dlq: lists keep working for everyone, /metrics counts it and /health/ready
/// reports it while staying ready. Before, every list and count on the database answered Internal from then on.
/// </summary>
[Trait("Store", "PostgresOnly")]
public sealed class VisibilityOutboxDeadLetterTests
{
    [Fact]
    public async Task OutboxRowTheDatabaseRefuses_IsParkedCountedAndReportedWhileListsWork()
    {
        using var database = new TestDatabase("outbox-dlq", postgres: true);
        await using var server = await ServerFixture.StartServerAsync(database.Apply(new TemporaOptions
        {
            Ip = "127.0.0.1",
            Port = 0,
            MetricsPort = 0,
            Headless = true,
        }), "outbox-dlq");
        var client = await ServerFixture.ConnectAsync(server);
        var pg = database.Postgres!;
        await using var main = NpgsqlDataSource.Create(pg.ConnectionString(pg.Database));
        await using (var insert = main.CreateCommand("""
            INSERT INTO visibility_tasks (namespace_id, run_id, version, data)
            SELECT id, 'run-with-nul', 1, $1 FROM namespaces WHERE name = 'default'
            """))
        {
            var now = DateTimeOffset.UtcNow;
            insert.Parameters.Add(new NpgsqlParameter
            {
                Value = JsonSerializer.SerializeToUtf8Bytes(new VisibilityRecord(
                    "ignored", "run-with-nul", "wf-with-nul", "Order\0Workflow", 1, now, now, null, "orders", 2, 100, null, 1,
                    null, null, "wf-with-nul", "run-with-nul", null, null, 1)),
            });
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }
        var workflowId = ServerFixture.NewWorkflowId("after-dlq");

        await client.Connection.WorkflowService.StartWorkflowExecutionAsync(new StartWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowId = workflowId,
            WorkflowType = new() { Name = "NoSuchWorkflow" },
            TaskQueue = new() { Name = ServerFixture.NewTaskQueue() },
            RequestId = Guid.NewGuid().ToString(),
        });

        Assert.Equal(1, (await client.CountWorkflowsAsync($"WorkflowId = '{workflowId}'")).Count);
        Assert.Equal(1, (await client.CountWorkflowsAsync("")).Count);
        await using (var parked = main.CreateCommand("SELECT run_id || ' ' || error FROM visibility_tasks_dlq"))
        {
            var row = (string?)await parked.ExecuteScalarAsync();
            Assert.StartsWith("run-with-nul PostgresException: 22021", row, StringComparison.Ordinal);
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var scrape = await ObservabilityScrape.ScrapeAsync(http, server.MetricsAddress);
        Assert.Equal(1, scrape.Value("dlq_writes{task_category=\"visibility\"}"));
        Assert.Equal(1, scrape.Value("visibility_dlq_tasks"));
        using var ready = await http.GetAsync(new Uri($"http://{server.MetricsAddress}/health/ready"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("""{"status":"ready","visibility_outbox":{"parked":1}}""", await ready.Content.ReadAsStringAsync());
    }
}

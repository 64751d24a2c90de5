using Google.Protobuf;
using Microsoft.Data.Sqlite;
using Tempora.Server;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Client;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// A SQLite file at schema version 2 (task rows without a shard; transfer work stored as timers due at once), opened by
/// this version: the backlogged task is served, the timer fires and the legacy transfer row is carried out.
/// </summary>
[Collection(nameof(TaskSchemaUpgradeTests))]
public sealed class TaskSchemaUpgradeTests : IDisposable
{
    private readonly TestDatabase _database = new("task-upgrade", postgres: false);

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task Open_DatabaseAtPreviousTaskSchema_ServesBacklog_FiresTimer_AndCarriesOutTransferTimer()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        var (backlogged, delayed, parentId, childId) =
            (ServerFixture.NewWorkflowId(), ServerFixture.NewWorkflowId(), ServerFixture.NewWorkflowId(), ServerFixture.NewWorkflowId());
        (string ParentRunId, string ChildRunId, long ChildInitiatedEventId) started;
        byte[] closeEvent;

        await using (var first = await StartAsync("task-upgrade-1"))
        {
            var client = await ServerFixture.ConnectAsync(first);
            // A parent awaiting a child that waits for a signal: both stay open across the upgrade.
            using (var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue)
                .AddWorkflow<ParentAwaitsWaitingChildWorkflow>().AddWorkflow<WaitForFinishWorkflow>()))
            {
                started = await worker.ExecuteAsync(async () =>
                {
                    var parent = await client.StartWorkflowAsync((ParentAwaitsWaitingChildWorkflow wf) => wf.RunAsync(childId), new(parentId, taskQueue));
                    var events = await Wait.ForHistoryEventAsync(parent, EventType.ChildWorkflowExecutionStarted);
                    var child = events.Last(e => e.EventType == EventType.ChildWorkflowExecutionStarted).ChildWorkflowExecutionStartedEventAttributes;
                    return (parent.ResultRunId!, child.WorkflowExecution.RunId, child.InitiatedEventId);
                });
            }
            // No worker now: a workflow task in the backlog, and a start delay (a timer) still to come after the restart.
            await client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("backlog"), new(backlogged, taskQueue));
            await client.StartWorkflowAsync((HelloWorkflow wf) => wf.RunAsync("delayed"), new(delayed, taskQueue) { StartDelay = TimeSpan.FromSeconds(4) });
            closeEvent = new HistoryEvent
            {
                EventType = EventType.WorkflowExecutionCompleted,
                WorkflowExecutionCompletedEventAttributes = new()
                {
                    Result = new() { Payloads_ = { client.Options.DataConverter.PayloadConverter.ToPayload("reported by the previous version") } },
                },
            }.ToByteArray();
            await first.StopAsync();
        }

        await RewriteAsPreviousVersionAsync(parentId, started.ParentRunId, childId, started.ChildRunId, started.ChildInitiatedEventId, closeEvent);

        await using var second = await StartAsync("task-upgrade-2");
        var client2 = await ServerFixture.ConnectAsync(second);
        using var worker2 = new TemporalWorker(client2, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<ParentAwaitsWaitingChildWorkflow>().AddWorkflow<WaitForFinishWorkflow>().AddWorkflow<HelloWorkflow>()
            .AddAllActivities(new GreetingActivities()));
        await worker2.ExecuteAsync(async () =>
        {
            Assert.Equal("Hello, backlog!", await client2.GetWorkflowHandle(backlogged).GetResultAsync<string>().WithTimeout("backlogged workflow task"));
            Assert.Equal("Hello, delayed!", await client2.GetWorkflowHandle(delayed).GetResultAsync<string>().WithTimeout("delayed start's timer"));
            // The legacy NotifyParent row reports the close event it carries to the parent, which completes with it.
            Assert.Equal("child said reported by the previous version",
                await client2.GetWorkflowHandle(parentId).GetResultAsync<string>().WithTimeout("legacy transfer task"));
            // The child itself still waits (the report was made up for the test).
            await client2.GetWorkflowHandle(childId).TerminateAsync("test done");
        });
    }

    /// <summary>
    /// Takes the file back to schema version 2, as the previous version left it: no shard column, no transfer table
    /// (nor any table of a later version: schedules), and a child's close report stored as a timer of kind 8 (NotifyParent), due at once, with its target run.
    /// </summary>
    private async Task RewriteAsPreviousVersionAsync(
        string parentId, string parentRunId, string childId, string childRunId, long childInitiatedEventId, byte[] closeEvent)
    {
        await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _database.DbFile, Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        var namespaceId = (string)(await ScalarAsync(conn, "SELECT namespace_id FROM executions WHERE workflow_id = $1", parentId))!;
        var taskId = (long)(await ScalarAsync(conn,
            "SELECT COALESCE(MAX(task_id), 0) + 1 FROM (SELECT task_id FROM timer_tasks UNION ALL SELECT task_id FROM tasks)"))!;
        Assert.Equal(0L, await ScalarAsync(conn, "SELECT COUNT(*) FROM transfer_tasks"));
        await ScalarAsync(conn, """
            DROP INDEX timer_tasks_by_shard; ALTER TABLE timer_tasks DROP COLUMN shard_id;
            DROP INDEX tasks_by_shard; ALTER TABLE tasks DROP COLUMN shard_id;
            DROP TABLE transfer_tasks;
            DROP TABLE schedules;
            DROP TABLE batch_items; DROP TABLE batches;
            DROP TABLE nexus_endpoints;
            DROP TABLE worker_deployment_task_queues; DROP TABLE worker_deployment_versions; DROP TABLE worker_deployments;
            ALTER TABLE namespaces DROP COLUMN delete_time;
            ALTER TABLE tasks DROP COLUMN pinned_version;
            DELETE FROM schema_version WHERE version >= 3;
            """);
        var legacy = $$"""
            {"Kind":8,"EventId":{{childInitiatedEventId}},"Attempt":0,"TimeoutType":0,"TimerId":"","TargetNamespaceId":"{{namespaceId}}",
            "TargetWorkflowId":"{{parentId}}","TargetRunId":"{{parentRunId}}","Policy":0,"Event":"{{Convert.ToBase64String(closeEvent)}}"}
            """;
        await ScalarAsync(conn, "INSERT INTO timer_tasks (task_id, fire_time, namespace_id, workflow_id, run_id, data) VALUES ($1, $2, $3, $4, $5, $6)",
            taskId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), namespaceId, childId, childRunId, System.Text.Encoding.UTF8.GetBytes(legacy));
    }

    private static async Task<object?> ScalarAsync(SqliteConnection conn, string sql, params object[] values)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            cmd.Parameters.AddWithValue($"${i + 1}", values[i]);
        }
        return await cmd.ExecuteScalarAsync();
    }

    private Task<TemporaServer> StartAsync(string logName) =>
        ServerFixture.StartServerAsync(
            _database.Apply(new TemporaOptions { Port = 0, UiPort = 0, MetricsPort = 0, Headless = true }),
            logName);
}

using Microsoft.Data.Sqlite;
using Temporalio.Api.Common.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// What `tempora start-dev` does with a SQLite file it must not serve: one another process already serves, one whose
/// pages are damaged, and one whose rows no longer parse. Real processes on real files; SQLite whatever the pass.
/// </summary>
[Collection(nameof(SqliteFileGuardTests))]
public sealed class SqliteFileGuardTests : IDisposable
{
    private readonly string _dir = TestFiles.NewTempDir();

    private string DbFile => Path.Combine(_dir, "tempora.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ASecondProcessOnTheSameFile_RefusesToStart_AndTheFirstKeepsServing()
    {
        await using var first = await TemporaProcess.StartAsync(DbFile);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => TemporaProcess.StartAsync(DbFile));
        Assert.Contains("exited with code 1", refused.Message, StringComparison.Ordinal);
        Assert.Contains("is in use by another Tempora process", refused.Message, StringComparison.Ordinal);

        var client = await TemporalClient.ConnectAsync(new(first.Address));
        var id = ServerFixture.NewWorkflowId("sqlite-guard");
        await StartAsync(client, id);
        Assert.Equal(id, (await client.GetWorkflowHandle(id).DescribeAsync()).Id);
    }

    [Fact]
    public async Task AFileWithDamagedPages_IsRefusedAtStart_NamingTheProblem()
    {
        await using (var server = await TemporaProcess.StartAsync(DbFile))
        {
            var client = await TemporalClient.ConnectAsync(new(server.Address));
            for (var i = 0; i < 50; i++)
            {
                await StartAsync(client, ServerFixture.NewWorkflowId($"sqlite-damaged-{i}"));
            }
            Assert.Equal(0, await server.StopAsync());
        }
        // A stretch of garbage over the middle of the file, as a torn write or a bad disk leaves it.
        await using (var file = new FileStream(DbFile, FileMode.Open, FileAccess.ReadWrite))
        {
            Assert.True(file.Length > 8 * 4096, $"the database is only {file.Length} bytes");
            file.Position = file.Length / 2 / 4096 * 4096;
            file.Write(Enumerable.Range(0, 3 * 4096).Select(i => (byte)(i * 31 + 7)).ToArray());
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => TemporaProcess.StartAsync(DbFile));
        Assert.Contains("exited with code 1", refused.Message, StringComparison.Ordinal);
        Assert.Contains("is corrupt", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARowThatNoLongerParses_AnswersDataLoss_NotARetryableStatus()
    {
        var id = ServerFixture.NewWorkflowId("sqlite-bad-row");
        await using (var server = await TemporaProcess.StartAsync(DbFile))
        {
            await StartAsync(await TemporalClient.ConnectAsync(new(server.Address)), id);
            Assert.Equal(0, await server.StopAsync());
        }
        await using (var connection = new SqliteConnection($"Data Source={DbFile};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var damage = connection.CreateCommand();
            damage.CommandText = "UPDATE executions SET state = $garbage WHERE workflow_id = $id";
            damage.Parameters.AddWithValue("$garbage", new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x02 });
            damage.Parameters.AddWithValue("$id", id);
            Assert.Equal(1, await damage.ExecuteNonQueryAsync());
        }

        await using var restarted = await TemporaProcess.StartAsync(DbFile);
        var client = await TemporalClient.ConnectAsync(new(restarted.Address));
        var lost = await Assert.ThrowsAsync<RpcException>(() => client.WorkflowService.DescribeWorkflowExecutionAsync(
            new DescribeWorkflowExecutionRequest { Namespace = "default", Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = id } },
            new RpcOptions { Retry = false }));
        Assert.Equal(RpcException.StatusCode.DataLoss, lost.Code);
    }

    private static Task<StartWorkflowExecutionResponse> StartAsync(TemporalClient client, string id) =>
        client.WorkflowService.StartWorkflowExecutionAsync(new StartWorkflowExecutionRequest
        {
            Namespace = "default",
            WorkflowId = id,
            WorkflowType = new WorkflowType { Name = "Parked" },
            TaskQueue = new TaskQueue { Name = "sqlite-guard-nobody-polls" },
            RequestId = Guid.NewGuid().ToString(),
        });
}

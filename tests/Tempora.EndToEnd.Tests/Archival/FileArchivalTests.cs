using Tempora.Server;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests.Archival;

/// <summary>
/// Archival to file://: a run past its retention is archived, then deleted; its history is still read (paged, and
/// replayed by the SDK) and ListArchivedWorkflowExecutions finds it by the S3 archiver's query forms.
/// </summary>
[Collection(nameof(FileArchivalTests))]
public sealed class FileArchivalTests : IDisposable
{
    private readonly TestDatabase _database = new("archival_file");
    private readonly string _archive = Path.Combine(Path.GetTempPath(), $"tempora-archive-{Guid.NewGuid():N}");

    public void Dispose()
    {
        _database.Dispose();
        if (Directory.Exists(_archive))
        {
            Directory.Delete(_archive, recursive: true);
        }
    }

    [Fact]
    public async Task RetentionPasses_RunArchivedThenDeleted_HistoryAndListReadFromArchive()
    {
        await using var server = await ArchivalTestHelpers.StartAsync(_database, "archival-file");
        await ArchivalTestHelpers.RegisterAsync(server, "archived-file", "file://" + _archive);
        var client = await ServerFixture.ConnectAsync(server, "archived-file");
        var described = await client.Connection.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "archived-file" });
        Assert.Equal(ArchivalState.Enabled, described.Config.HistoryArchivalState);
        Assert.Equal("file://" + _archive, described.Config.VisibilityArchivalUri);

        var (handle, stored) = await ArchivalTestHelpers.RunOneAsync(client, "archived-wf");
        await Wait.UntilAsync(() => ArchivalTestHelpers.GoneAsync(handle), gone => gone, "the run to be deleted after its retention");

        var archived = await ArchivalTestHelpers.ArchivedEventsAsync(client, handle);
        Assert.Equal(stored.Events.Select(e => e.ToString()), archived.Select(e => e.ToString()));
        var fetched = await client.GetWorkflowHandle(handle.Id, handle.ResultRunId).FetchHistoryAsync();
        Assert.Equal(stored.Events.Count, fetched.Events.Count);
        var replayer = new WorkflowReplayer(new WorkflowReplayerOptions().AddWorkflow<ArchivedWorkflow>());
        var replayed = await replayer.ReplayWorkflowAsync(fetched);
        Assert.Null(replayed.ReplayFailure);

        Assert.Equal(["archived-wf"], await ArchivalTestHelpers.ArchivedIdsAsync(client, "WorkflowId = 'archived-wf'"));
        Assert.Equal(["archived-wf"], await ArchivalTestHelpers.ArchivedIdsAsync(client, "WorkflowTypeName = 'ArchivedWorkflow'"));
        var day = DateTime.UtcNow.ToString("yyyy-MM-dd'T'00:00:00'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(["archived-wf"], await ArchivalTestHelpers.ArchivedIdsAsync(client,
            $"WorkflowTypeName = 'ArchivedWorkflow' AND CloseTime = '{day}' AND SearchPrecision = 'Day'"));
        Assert.Empty(await ArchivalTestHelpers.ArchivedIdsAsync(client, "WorkflowId = 'another'"));
        var listed = (await client.Connection.WorkflowService.ListArchivedWorkflowExecutionsAsync(new ListArchivedWorkflowExecutionsRequest
        {
            Namespace = "archived-file",
            Query = "WorkflowId = 'archived-wf'",
        })).Executions.Single();
        Assert.Equal(WorkflowExecutionStatus.Completed, listed.Status);
        Assert.Equal(stored.Events.Count, listed.HistoryLength);
        Assert.Equal(handle.ResultRunId, listed.Execution.RunId);

        var unsupported = await Assert.ThrowsAsync<RpcException>(() => ArchivalTestHelpers.ArchivedIdsAsync(client, "ExecutionStatus = 'Completed'"));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, unsupported.Code);
        Assert.Contains("ExecutionStatus", unsupported.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArchivalUris_UnknownSchemeRefused_UriImmutable_ClusterDisabledRefused()
    {
        await using var server = await ArchivalTestHelpers.StartAsync(_database, "archival-uris");
        var admin = await ServerFixture.ConnectAsync(server);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => admin.Connection.WorkflowService.RegisterNamespaceAsync(new RegisterNamespaceRequest
        {
            Namespace = "gcs-archived",
            HistoryArchivalState = ArchivalState.Enabled,
            HistoryArchivalUri = "gs://bucket/path",
        }));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, unknown.Code);
        Assert.Contains("\"gs\"", unknown.Message, StringComparison.Ordinal);

        await ArchivalTestHelpers.RegisterAsync(server, "uri-fixed", "file://" + _archive);
        var changed = await Assert.ThrowsAsync<RpcException>(() => admin.Connection.WorkflowService.UpdateNamespaceAsync(new UpdateNamespaceRequest
        {
            Namespace = "uri-fixed",
            Config = new() { HistoryArchivalUri = "file://" + _archive + "-other" },
        }));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, changed.Code);
        Assert.Contains("Cannot update existing archival URI", changed.Message, StringComparison.Ordinal);

        // Disabling keeps the URI (Temporal's state machine); enabling again needs none.
        await admin.Connection.WorkflowService.UpdateNamespaceAsync(new UpdateNamespaceRequest
        {
            Namespace = "uri-fixed",
            Config = new() { HistoryArchivalState = ArchivalState.Disabled },
        });
        var described = await admin.Connection.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "uri-fixed" });
        Assert.Equal(ArchivalState.Disabled, described.Config.HistoryArchivalState);
        Assert.Equal("file://" + _archive, described.Config.HistoryArchivalUri);
    }
}

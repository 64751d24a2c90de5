using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests.Archival;

/// <summary>
/// Archival to s3:// on a real S3-compatible server (s3rver, which checks request signatures): a bucket that does not
/// exist keeps the run (nothing deleted, the failure reported by readiness and counted); once the bucket is created the
/// next scan archives and deletes it, and the history and the list are read back from the bucket.
/// </summary>
[Collection(nameof(S3ArchivalTests))]
public sealed class S3ArchivalTests : IDisposable
{
    private readonly TestDatabase _database = new("archival_s3");

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task BucketMissing_RunKeptAndFailureReported_BucketCreated_ArchivedThenDeleted()
    {
        await using var s3 = await S3Server.StartAsync();
        await using var server = await ArchivalTestHelpers.StartAsync(_database, "archival-s3", s3.Endpoint);
        await ArchivalTestHelpers.RegisterAsync(server, "archived-s3", "s3://tempora-archive/runs");
        var client = await ServerFixture.ConnectAsync(server, "archived-s3");
        var (handle, stored) = await ArchivalTestHelpers.RunOneAsync(client, "s3-wf");

        // The bucket does not exist: every scan fails to archive, and the run stays.
        using var http = new HttpClient();
        var ready = await Wait.UntilAsync(
            () => http.GetStringAsync($"http://{server.MetricsAddress}/health/ready"),
            body => body.Contains("archived-s3", StringComparison.Ordinal) && body.Contains("NoSuchBucket", StringComparison.Ordinal),
            "readiness to report the namespace whose archiving fails");
        Assert.Contains("archiving s3-wf", ready, StringComparison.Ordinal);
        var metrics = await http.GetStringAsync($"http://{server.MetricsAddress}/metrics");
        Assert.Contains("archiver_archive_errors", metrics, StringComparison.Ordinal);
        Assert.False(await ArchivalTestHelpers.GoneAsync(handle));
        Assert.Equal(WorkflowExecutionStatus.Completed, (await handle.DescribeAsync()).Status);

        // The operator creates the bucket: the next scan archives the run, then deletes it.
        using (var admin = s3.Client())
        {
            await admin.PutBucketAsync("tempora-archive");
        }
        await Wait.UntilAsync(() => ArchivalTestHelpers.GoneAsync(handle), gone => gone, "the run to be archived and deleted once the bucket exists");

        var archived = await ArchivalTestHelpers.ArchivedEventsAsync(client, handle);
        Assert.Equal(stored.Events.Select(e => e.ToString()), archived.Select(e => e.ToString()));
        Assert.Equal(["s3-wf"], await ArchivalTestHelpers.ArchivedIdsAsync(client, "WorkflowId = 's3-wf'"));
        Assert.Equal(["s3-wf"], await ArchivalTestHelpers.ArchivedIdsAsync(client, "WorkflowTypeName = 'ArchivedWorkflow'"));
        using (var admin = s3.Client())
        {
            var objects = await admin.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = "tempora-archive", Prefix = "runs/" });
            Assert.Equal(2, objects.S3Objects.Count); // the history and the visibility record, under the URI's prefix
        }
        var readiness = await http.GetStringAsync($"http://{server.MetricsAddress}/health/ready");
        Assert.DoesNotContain("archived-s3", readiness, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArchivalDisabledNamespace_ListArchivedRefused_HistoryNotFoundAfterDeletion()
    {
        await using var server = await ArchivalTestHelpers.StartAsync(_database, "archival-off");
        var admin = await ServerFixture.ConnectAsync(server);
        await admin.Connection.WorkflowService.RegisterNamespaceAsync(new RegisterNamespaceRequest
        {
            Namespace = "not-archived",
            WorkflowExecutionRetentionPeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(1)),
        });
        var client = await ServerFixture.ConnectAsync(server, "not-archived");
        var refused = await Assert.ThrowsAsync<RpcException>(() => ArchivalTestHelpers.ArchivedIdsAsync(client, "WorkflowId = 'x'"));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, refused.Code);
        Assert.Contains("Namespace is not configured for visibility archival", refused.Message, StringComparison.Ordinal);

        var (handle, _) = await ArchivalTestHelpers.RunOneAsync(client, "never-archived");
        await Wait.UntilAsync(() => ArchivalTestHelpers.GoneAsync(handle), gone => gone, "the run to be deleted without archival");
        var history = await Assert.ThrowsAsync<RpcException>(() => client.GetWorkflowHandle(handle.Id, handle.ResultRunId).FetchHistoryAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, history.Code);
    }
}

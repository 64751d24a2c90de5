using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Namespace.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class SearchAttributeAndNamespaceTests(ServerFixture fixture)
{
    private static readonly SearchAttributeKey<string> CustomerId = SearchAttributeKey.CreateKeyword("CustomerId");
    private static readonly SearchAttributeKey<long> Priority = SearchAttributeKey.CreateLong("OrderPriority");

    [Fact]
    public async Task SearchAttributes_SetAtStartAndUpserted_DescribedWithTypes()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<UpsertWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var handle = await fixture.Client.StartWorkflowAsync((UpsertWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue)
            {
                TypedSearchAttributes = new SearchAttributeCollection.Builder().Set(CustomerId, "c-42").ToSearchAttributeCollection(),
            });
            await handle.GetResultAsync().WithTimeout("workflow that upserts search attributes");
            var description = await handle.DescribeAsync();
            Assert.Equal("c-42", description.TypedSearchAttributes.Get(CustomerId));
            Assert.Equal(7L, description.TypedSearchAttributes.Get(Priority));
        });
    }

    [Fact]
    public async Task Patched_UpsertsChangeVersion_WorkflowCompletes()
    {
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(fixture.Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<PatchedWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var result = await fixture.Client.ExecuteWorkflowAsync((PatchedWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId(), taskQueue))
                .WithTimeout("patched workflow");
            Assert.Equal("new path", result);
        });
    }

    [Fact]
    public async Task UpdateNamespace_DescriptionAndRetention_AreDescribed()
    {
        var service = fixture.Client.Connection.WorkflowService;
        var name = ServerFixture.NewWorkflowId("ns-update");
        await service.RegisterNamespaceAsync(new RegisterNamespaceRequest
        {
            Namespace = name,
            WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1)),
        });
        await service.UpdateNamespaceAsync(new UpdateNamespaceRequest
        {
            Namespace = name,
            UpdateInfo = new UpdateNamespaceInfo { Description = "orders" },
            Config = new NamespaceConfig { WorkflowExecutionRetentionTtl = Duration.FromTimeSpan(TimeSpan.FromDays(5)) },
        });
        var described = await service.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = name });
        Assert.Equal("orders", described.NamespaceInfo.Description);
        Assert.Equal(TimeSpan.FromDays(5), described.Config.WorkflowExecutionRetentionTtl.ToTimeSpan());
    }

    [Theory]
    [InlineData(0L, 0, true)]
    [InlineData(3599L, 0, true)]
    [InlineData(0L, 999_999_999, true)]
    [InlineData(-3600L, 0, false)]
    [InlineData(3600L, -1, false)]
    public async Task RegisterAndUpdateNamespace_RetentionOutsideTheBounds_AnswerInvalidArgument(long seconds, int nanos, bool wellFormed)
    {
        var service = fixture.Client.Connection.WorkflowService;
        var name = ServerFixture.NewWorkflowId("ns-retention");
        var retention = new Duration { Seconds = seconds, Nanos = nanos };
        var refused = await Assert.ThrowsAsync<RpcException>(() => service.RegisterNamespaceAsync(new RegisterNamespaceRequest
        {
            Namespace = name,
            WorkflowExecutionRetentionPeriod = retention,
        }));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, refused.Code);
        // A well-formed duration under the minimum gets Temporal's text; a malformed one names the field.
        Assert.Contains(wellFormed ? "A valid retention period is not set on request" : "workflow_execution_retention_period", refused.Message, StringComparison.Ordinal);

        // The smallest retention Temporal accepts for a local namespace is an hour.
        await service.RegisterNamespaceAsync(new RegisterNamespaceRequest
        {
            Namespace = name,
            WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
        });
        var refusedUpdate = await Assert.ThrowsAsync<RpcException>(() => service.UpdateNamespaceAsync(new UpdateNamespaceRequest
        {
            Namespace = name,
            Config = new NamespaceConfig { WorkflowExecutionRetentionTtl = retention },
        }));
        Assert.Equal(RpcException.StatusCode.InvalidArgument, refusedUpdate.Code);
        var described = await service.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = name });
        Assert.Equal(TimeSpan.FromHours(1), described.Config.WorkflowExecutionRetentionTtl.ToTimeSpan());
    }

    [Fact]
    public async Task RegisterNamespace_RetentionOfNineThousandYears_IsCappedToAHundredYearsAsTemporalCapsDurations()
    {
        var service = fixture.Client.Connection.WorkflowService;
        var name = ServerFixture.NewWorkflowId("ns-retention-capped");
        await service.RegisterNamespaceAsync(new RegisterNamespaceRequest
        {
            Namespace = name,
            WorkflowExecutionRetentionPeriod = new Duration { Seconds = 9000L * 365 * 86400 },
        });
        var described = await service.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = name });
        Assert.Equal(TimeSpan.FromDays(100 * 365), described.Config.WorkflowExecutionRetentionTtl.ToTimeSpan());
    }

    [Fact]
    public async Task GetClusterInfo_Called_ReportsVersionAndStore()
    {
        var info = await fixture.Client.Connection.WorkflowService.GetClusterInfoAsync(new GetClusterInfoRequest());
        Assert.StartsWith("1.", info.ServerVersion, StringComparison.Ordinal);
        var store = TestDatabase.UsePostgres ? "postgres12" : "sqlite";
        Assert.Equal((store, store), (info.PersistenceStore, info.VisibilityStore));
        Assert.Equal(4, info.HistoryShardCount);
    }

    [Workflow]
    public class UpsertWorkflow
    {
        [WorkflowRun]
        public Task RunAsync()
        {
            Workflow.UpsertTypedSearchAttributes(Priority.ValueSet(7));
            return Task.CompletedTask;
        }
    }

    [Workflow]
    public class PatchedWorkflow
    {
        [WorkflowRun]
        public Task<string> RunAsync() => Task.FromResult(Workflow.Patched("new-path") ? "new path" : "old path");
    }
}

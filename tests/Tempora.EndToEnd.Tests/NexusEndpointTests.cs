using System.Text;
using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.ErrorDetails.V1;
using Temporalio.Api.Nexus.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// The Nexus endpoint registry through the official .NET SDK's OperatorService client, with Temporal 1.28's answers:
/// create, get, list (pages, the name filter), update and delete at a version, and every refusal's code and words. On a
/// cluster (TEMPORA_TEST_REPLICAS=2) the reads and updates go through the other replica than the write before, which must
/// see it at once. Endpoints are cluster-wide and the fixture is shared, so each test names its own endpoints and
/// never counts the whole list.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class NexusEndpointTests(ServerFixture fixture)
{
    private OperatorService First => fixture.Client.OperatorService;

    /// <summary>The other replica's client on a cluster; the first's otherwise.</summary>
    private async Task<OperatorService> OtherAsync() => fixture.AllServers.Count > 1
        ? (await ServerFixture.ConnectAsync(fixture.AllServers[1])).OperatorService
        : First;

    private static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static EndpointSpec WorkerSpec(string name, string ns = "default", string taskQueue = "nexus-tq", Payload? description = null) => new()
    {
        Name = name,
        Target = new EndpointTarget { Worker = new EndpointTarget.Types.Worker { Namespace = ns, TaskQueue = taskQueue } },
        Description = description,
    };

    private static Payload Description(string text) => new()
    {
        Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
        Data = ByteString.CopyFromUtf8($"\"{text}\""),
    };

    private async Task<Endpoint> CreateAsync(EndpointSpec spec) => (await First.CreateNexusEndpointAsync(new() { Spec = spec })).Endpoint;

    private static async Task<RpcException> RefusedAsync(RpcException.StatusCode code, string message, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal((code, message), (e.Code, e.Message));
        return e;
    }

    [Fact]
    public async Task CreateGetUpdateDelete_RoundTrip_SeenAtOnceThroughTheOtherReplica()
    {
        var name = NewName("ep-life");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var created = await CreateAsync(WorkerSpec(name, description: Description("orders")));

        Assert.True(Guid.TryParseExact(created.Id, "D", out _), created.Id);
        Assert.Equal(1, created.Version);
        Assert.InRange(created.CreatedTime.ToDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Null(created.LastModifiedTime);
        Assert.Equal($"/nexus/endpoints/{created.Id}/services", created.UrlPrefix);
        Assert.Equal(WorkerSpec(name, description: Description("orders")), created.Spec);

        var other = await OtherAsync();
        Assert.Equal(created, (await other.GetNexusEndpointAsync(new() { Id = created.Id })).Endpoint);
        var updated = (await other.UpdateNexusEndpointAsync(new()
        {
            Id = created.Id,
            Version = 1,
            Spec = WorkerSpec(name + "-renamed", ServerFixture.ExtraNamespace, "other-tq"),
        })).Endpoint;

        Assert.Equal((2L, created.CreatedTime), (updated.Version, updated.CreatedTime));
        Assert.NotNull(updated.LastModifiedTime);
        Assert.Equal(WorkerSpec(name + "-renamed", ServerFixture.ExtraNamespace, "other-tq"), updated.Spec);
        Assert.Equal(updated, (await First.GetNexusEndpointAsync(new() { Id = created.Id })).Endpoint);
        Assert.Empty((await First.ListNexusEndpointsAsync(new() { Name = name })).Endpoints);

        await other.DeleteNexusEndpointAsync(new() { Id = created.Id, Version = 2 });
        await RefusedAsync(RpcException.StatusCode.NotFound, $"Nexus endpoint with ID `{created.Id}` not found",
            () => First.GetNexusEndpointAsync(new() { Id = created.Id }));
        await CreateAsync(WorkerSpec(name + "-renamed")); // the name is free again
    }

    [Fact]
    public async Task List_PagesInIdOrder_AndTheNameFilterAnswersOneOrNone()
    {
        var names = Enumerable.Range(0, 3).Select(i => NewName($"ep-list{i}")).ToList();
        var ids = new List<string>();
        foreach (var name in names)
        {
            ids.Add((await CreateAsync(WorkerSpec(name))).Id);
        }

        var seen = new List<Endpoint>();
        var other = await OtherAsync();
        ByteString token = ByteString.Empty;
        do
        {
            var page = await other.ListNexusEndpointsAsync(new() { PageSize = 2, NextPageToken = token });
            Assert.InRange(page.Endpoints.Count, 1, 2);
            seen.AddRange(page.Endpoints);
            token = page.NextPageToken;
        }
        while (!token.IsEmpty);

        Assert.Equal(seen.Select(e => e.Id).Order(StringComparer.Ordinal), seen.Select(e => e.Id));
        Assert.Equal(seen.Count, seen.Select(e => e.Id).Distinct().Count());
        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Select(e => e.Id).Where(ids.Contains));
        var named = await First.ListNexusEndpointsAsync(new() { Name = names[1], PageSize = 1005 }); // page size not looked at
        Assert.Equal((ids[1], true), (Assert.Single(named.Endpoints).Id, named.NextPageToken.IsEmpty));
        Assert.Empty((await First.ListNexusEndpointsAsync(new() { Name = "missing-endpoint" })).Endpoints);
        Assert.NotEmpty((await First.ListNexusEndpointsAsync(new())).Endpoints);

        await RefusedAsync(RpcException.StatusCode.InvalidArgument, "page_size exceeds limit of 1000",
            () => First.ListNexusEndpointsAsync(new() { PageSize = 1005 }));
        await RefusedAsync(RpcException.StatusCode.InvalidArgument, "page_size is negative",
            () => First.ListNexusEndpointsAsync(new() { PageSize = -1 }));
        await RefusedAsync(RpcException.StatusCode.InvalidArgument, "Invalid NextPageToken.",
            () => First.ListNexusEndpointsAsync(new() { NextPageToken = ByteString.CopyFromUtf8("not a token") }));
    }

    [Fact]
    public async Task DuplicateName_IsAlreadyExists_OnCreateAndOnRename()
    {
        var name = NewName("ep-dup");
        await CreateAsync(WorkerSpec(name));
        var second = await CreateAsync(WorkerSpec(NewName("ep-dup")));

        var duplicate = await RefusedAsync(RpcException.StatusCode.AlreadyExists,
            $"error creating Nexus endpoint. Endpoint with name {name} already registered",
            () => First.CreateNexusEndpointAsync(new() { Spec = WorkerSpec(name, ServerFixture.ExtraNamespace) }));
        Assert.True(duplicate.GrpcStatus.Value is null || duplicate.GrpcStatus.Value.Details.Count == 0); // a plain AlreadyExists, as Temporal's
        await RefusedAsync(RpcException.StatusCode.AlreadyExists, $"error updating Nexus endpoint. Endpoint with name {name} already registered",
            async () => await (await OtherAsync()).UpdateNexusEndpointAsync(new() { Id = second.Id, Version = 1, Spec = WorkerSpec(name) }));
    }

    [Theory]
    [InlineData("", "endpoint name not set")]
    [InlineData("a", "endpoint name must match the regex: \"^[a-zA-Z][a-zA-Z0-9\\\\-]*[a-zA-Z0-9]$\"")]
    [InlineData("1abc", "endpoint name must match the regex: \"^[a-zA-Z][a-zA-Z0-9\\\\-]*[a-zA-Z0-9]$\"")]
    [InlineData("ab_c", "endpoint name must match the regex: \"^[a-zA-Z][a-zA-Z0-9\\\\-]*[a-zA-Z0-9]$\"")]
    [InlineData("abc-", "endpoint name must match the regex: \"^[a-zA-Z][a-zA-Z0-9\\\\-]*[a-zA-Z0-9]$\"")]
    [InlineData("abc\n", "endpoint name must match the regex: \"^[a-zA-Z][a-zA-Z0-9\\\\-]*[a-zA-Z0-9]$\"")]
    public async Task BadName_IsInvalidArgument_InTemporalsWords(string name, string message) =>
        await RefusedAsync(RpcException.StatusCode.InvalidArgument, message, () => First.CreateNexusEndpointAsync(new() { Spec = WorkerSpec(name) }));

    [Fact]
    public async Task BadSpec_IsInvalidArgument_EveryProblemNamedAtOnce()
    {
        var tooLong = "a" + new string('b', 200);
        await RefusedAsync(RpcException.StatusCode.InvalidArgument,
            "endpoint name exceeds length limit of 200, invalid target task queue: \"taskQueue is not set\"",
            () => First.CreateNexusEndpointAsync(new() { Spec = WorkerSpec(tooLong, taskQueue: "") }));
        await RefusedAsync(RpcException.StatusCode.InvalidArgument, "endpoint name not set, empty target variant",
            () => First.CreateNexusEndpointAsync(new()));
        await RefusedAsync(RpcException.StatusCode.InvalidArgument, "target namespace not set",
            () => First.CreateNexusEndpointAsync(new() { Spec = WorkerSpec(NewName("ep"), ns: "") }));
        await RefusedAsync(RpcException.StatusCode.InvalidArgument,
            "invalid target task queue: \"task queue name cannot start with reserved prefix /_sys/\"",
            () => First.CreateNexusEndpointAsync(new() { Spec = WorkerSpec(NewName("ep"), taskQueue: "/_sys/q/1") }));
        await RefusedAsync(RpcException.StatusCode.InvalidArgument, "invalid target task queue: \"taskQueue length exceeds limit\"",
            () => First.CreateNexusEndpointAsync(new() { Spec = WorkerSpec(NewName("ep"), taskQueue: new string('q', 1001)) }));
        var big = new Payload { Data = ByteString.CopyFrom(new byte[20_000]) };
        await RefusedAsync(RpcException.StatusCode.InvalidArgument, "description size exceeds limit of 20000",
            () => First.CreateNexusEndpointAsync(new() { Spec = WorkerSpec(NewName("ep"), description: big) }));
    }

    [Fact]
    public async Task UnknownTargetNamespace_IsFailedPrecondition()
    {
        var ns = NewName("ns-missing");
        await RefusedAsync(RpcException.StatusCode.FailedPrecondition,
            $"could not verify namespace referenced by target exists: Namespace {ns} is not found.",
            () => First.CreateNexusEndpointAsync(new() { Spec = WorkerSpec(NewName("ep"), ns) }));
        var endpoint = await CreateAsync(WorkerSpec(NewName("ep-ns")));
        await RefusedAsync(RpcException.StatusCode.FailedPrecondition,
            $"could not verify namespace referenced by target exists: Namespace {ns} is not found.",
            () => First.UpdateNexusEndpointAsync(new() { Id = endpoint.Id, Version = 1, Spec = WorkerSpec(endpoint.Spec.Name, ns) }));
    }

    [Fact]
    public async Task StaleVersion_IsFailedPrecondition_OnUpdateAndDelete_AndOfTwoRacingUpdatesOneWins()
    {
        var endpoint = await CreateAsync(WorkerSpec(NewName("ep-version")));
        var other = await OtherAsync();
        var racing = await Task.WhenAll(new[] { First, other }.Select(async (client, i) =>
        {
            try
            {
                return (await client.UpdateNexusEndpointAsync(new() { Id = endpoint.Id, Version = 1, Spec = WorkerSpec(endpoint.Spec.Name + $"-{i}") })).Endpoint;
            }
            catch (RpcException e) when (e.Code == RpcException.StatusCode.FailedPrecondition)
            {
                Assert.Equal("nexus endpoint version mismatch. received: 1 expected 2", e.Message);
                return null;
            }
        }));
        var winner = Assert.Single(racing, e => e is not null)!;
        Assert.Equal(2, winner.Version);

        await RefusedAsync(RpcException.StatusCode.FailedPrecondition, "nexus endpoint version mismatch. received: 1 expected 2",
            () => First.UpdateNexusEndpointAsync(new() { Id = endpoint.Id, Version = 1, Spec = WorkerSpec(endpoint.Spec.Name) }));
        await RefusedAsync(RpcException.StatusCode.FailedPrecondition, "nexus endpoint version mismatch. received: 3 expected 2",
            () => other.DeleteNexusEndpointAsync(new() { Id = endpoint.Id, Version = 3 }));
        Assert.Equal(winner, (await First.GetNexusEndpointAsync(new() { Id = endpoint.Id })).Endpoint);
    }

    [Fact]
    public async Task UnknownOrMalformedId_IsNotFoundOrInvalidArgument()
    {
        var unknown = Guid.NewGuid().ToString();
        var get = await RefusedAsync(RpcException.StatusCode.NotFound, $"Nexus endpoint with ID `{unknown}` not found",
            () => First.GetNexusEndpointAsync(new() { Id = unknown }));
        Assert.True(Assert.Single(get.GrpcStatus.Value!.Details).TryUnpack(out NotFoundFailure _));
        await RefusedAsync(RpcException.StatusCode.NotFound, "error updating Nexus endpoint. endpoint ID not-found not found",
            () => First.UpdateNexusEndpointAsync(new() { Id = "not-found", Version = 1, Spec = WorkerSpec(NewName("ep")) }));
        await RefusedAsync(RpcException.StatusCode.NotFound, $"error deleting nexus endpoint with ID: {unknown}",
            () => First.DeleteNexusEndpointAsync(new() { Id = unknown, Version = 1 }));
        await RefusedAsync(RpcException.StatusCode.InvalidArgument, "endpoint ID not set", () => First.GetNexusEndpointAsync(new()));
        await RefusedAsync(RpcException.StatusCode.InvalidArgument, "malformed endpoint ID: \"invalid UUID length: 3\"",
            () => First.GetNexusEndpointAsync(new() { Id = "abc" }));
        await RefusedAsync(RpcException.StatusCode.InvalidArgument, "endpoint ID not set, endpoint version is non-positive",
            () => First.DeleteNexusEndpointAsync(new()));

        // Any form Go's uuid.Parse reads names the same endpoint.
        var endpoint = await CreateAsync(WorkerSpec(NewName("ep-forms")));
        foreach (var form in new[] { endpoint.Id.ToUpperInvariant(), $"{{{endpoint.Id}}}", $"urn:uuid:{endpoint.Id}", endpoint.Id.Replace("-", "", StringComparison.Ordinal) })
        {
            Assert.Equal(endpoint, (await First.GetNexusEndpointAsync(new() { Id = form })).Endpoint);
        }
    }

    [Fact]
    public async Task ExternalTarget_IsStored_AndABadUrlIsRefused()
    {
        var spec = new EndpointSpec
        {
            Name = NewName("ep-external"),
            Target = new EndpointTarget { External = new EndpointTarget.Types.External { Url = "https://nexus.example.com/handler" } },
        };
        var created = await CreateAsync(spec);
        Assert.Equal(spec, (await (await OtherAsync()).GetNexusEndpointAsync(new() { Id = created.Id })).Endpoint.Spec);

        foreach (var (url, message) in new[]
        {
            ("", "empty target URL"),
            ("ftp://example.com", "invalid target URL scheme: \"ftp\", expected http or https"),
            ("example.com/path", "invalid target URL scheme: \"\", expected http or https"),
            ("http://" + new string('a', 4096), "target URL length exceeds limit of 4096"),
        })
        {
            spec.Target.External.Url = url;
            spec.Name = NewName("ep-bad-url");
            await RefusedAsync(RpcException.StatusCode.InvalidArgument, message, () => First.CreateNexusEndpointAsync(new() { Spec = spec }));
        }
    }

    [Fact]
    public async Task DeleteNamespace_ThatAnEndpointTargets_IsFailedPrecondition_UntilTheEndpointIsGone()
    {
        var ns = NewName("ns-nexus-target");
        await fixture.Client.WorkflowService.RegisterNamespaceAsync(new()
        {
            Namespace = ns,
            WorkflowExecutionRetentionPeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(1)),
        });
        var endpoint = await CreateAsync(WorkerSpec(NewName("ep-target"), ns));

        await RefusedAsync(RpcException.StatusCode.FailedPrecondition, $"cannot delete a namespace that is a target of a Nexus endpoint {endpoint.Spec.Name}",
            () => First.DeleteNamespaceAsync(new() { Namespace = ns }));
        await First.DeleteNexusEndpointAsync(new() { Id = endpoint.Id, Version = 1 });
        Assert.StartsWith($"{ns}-deleted-", (await First.DeleteNamespaceAsync(new() { Namespace = ns })).DeletedNamespace, StringComparison.Ordinal);
    }
}

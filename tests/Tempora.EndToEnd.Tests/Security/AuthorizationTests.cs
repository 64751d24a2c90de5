using Google.Protobuf.WellKnownTypes;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.OperatorService.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// Temporal's JWT authorization on a real server, through the official SDK: each role is allowed what Temporal's
/// default authorizer allows it and refused the rest (PermissionDenied "Request unauthorized.", nothing changed);
/// a missing, expired, not yet valid, forged or unknown-key token is Unauthenticated; the worker role's own calls
/// (schedules, batches) still run.
/// </summary>
public sealed class AuthorizationTests(AuthorizationFixture fixture) : IClassFixture<AuthorizationFixture>
{
    private static readonly string[] Anyone = [];

    [Fact]
    public async Task Reader_DescribesListsAndReadsHistory()
    {
        var writer = await fixture.ConnectAsync(fixture.Token("writer", "default:write"));
        // The reader's token is ES256, signed by the key of the file:// JWKS.
        var reader = await fixture.ConnectAsync(fixture.Ec.Token("reader", ["default:read"]));
        var type = $"AuthIdle{Guid.NewGuid():N}";
        var id = ServerFixture.NewWorkflowId();
        await writer.StartWorkflowAsync(type, Anyone, new(id, ServerFixture.NewTaskQueue()));

        var handle = reader.GetWorkflowHandle(id);
        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        Assert.Equal(EventType.WorkflowExecutionStarted, (await handle.FetchHistoryAsync()).Events.First().EventType);
        var listed = await Wait.UntilAsync(() => reader.ListWorkflowsAsync($"WorkflowType = '{type}'").ToListAsync().AsTask(), l => l.Count == 1, "the reader to list the workflow");
        Assert.Equal(id, listed[0].Id);
    }

    [Fact]
    public async Task Reader_StartSignalTerminate_PermissionDenied_WorkflowUnchanged()
    {
        var writer = await fixture.ConnectAsync(fixture.Token("writer", "default:write"));
        var reader = await fixture.ConnectAsync(fixture.Token("reader", "default:read"));
        var taskQueue = ServerFixture.NewTaskQueue();
        var id = ServerFixture.NewWorkflowId();
        var handle = await writer.StartWorkflowAsync("AuthIdle", Anyone, new(id, taskQueue));
        var before = (await handle.FetchHistoryAsync()).Events.Count;

        await AssertDeniedAsync(() => reader.StartWorkflowAsync("AuthIdle", Anyone, new(ServerFixture.NewWorkflowId(), taskQueue)));
        await AssertDeniedAsync(() => reader.GetWorkflowHandle(id).SignalAsync("go", Anyone));
        await AssertDeniedAsync(() => reader.GetWorkflowHandle(id).TerminateAsync("reader says stop"));
        await AssertDeniedAsync(() => reader.GetWorkflowHandle(id).CancelAsync());

        Assert.Equal(WorkflowExecutionStatus.Running, (await handle.DescribeAsync()).Status);
        Assert.Equal(before, (await handle.FetchHistoryAsync()).Events.Count);
    }

    [Fact]
    public async Task Writer_StartsSignalsAndTerminates()
    {
        var writer = await fixture.ConnectAsync(fixture.Token("writer", "default:write"));
        var handle = await writer.StartWorkflowAsync("AuthIdle", Anyone, new(ServerFixture.NewWorkflowId(), ServerFixture.NewTaskQueue()));

        await handle.SignalAsync("go", Anyone);
        await handle.TerminateAsync("writer says stop");

        var events = (await handle.FetchHistoryAsync()).Events.Select(e => e.EventType).ToList();
        Assert.Contains(EventType.WorkflowExecutionSignaled, events);
        Assert.Equal(EventType.WorkflowExecutionTerminated, events[^1]);
    }

    [Fact]
    public async Task WorkerWithWriterToken_RunsAWorkflowEndToEnd()
    {
        var writer = await fixture.ConnectAsync(fixture.Token("worker", "default:write"));
        var taskQueue = ServerFixture.NewTaskQueue();
        using var worker = new TemporalWorker(writer, new TemporalWorkerOptions(taskQueue)
            .AddWorkflow<HelloWorkflow>().AddAllActivities(new GreetingActivities()));

        var result = await worker.ExecuteAsync(() => writer.ExecuteWorkflowAsync(
            (HelloWorkflow wf) => wf.RunAsync("auth"), new(ServerFixture.NewWorkflowId(), taskQueue)));

        Assert.Equal("Hello, auth!", result);
    }

    [Fact]
    public async Task NamespaceAdmin_IsRefusedInAnotherNamespace()
    {
        var token = fixture.Token("admin-a", $"{AuthorizationFixture.NamespaceA}:admin");
        var inA = await fixture.ConnectAsync(token, AuthorizationFixture.NamespaceA);
        var inB = await fixture.ConnectAsync(token, AuthorizationFixture.NamespaceB);

        await inA.StartWorkflowAsync("AuthIdle", Anyone, new(ServerFixture.NewWorkflowId(), ServerFixture.NewTaskQueue()));
        await inA.WorkflowService.UpdateNamespaceAsync(new UpdateNamespaceRequest
        {
            Namespace = AuthorizationFixture.NamespaceA,
            UpdateInfo = new() { Description = "updated by its admin" },
        });

        await AssertDeniedAsync(() => inB.StartWorkflowAsync("AuthIdle", Anyone, new(ServerFixture.NewWorkflowId(), ServerFixture.NewTaskQueue())));
        await AssertDeniedAsync(() => inB.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = AuthorizationFixture.NamespaceB }));
        await AssertDeniedAsync(() => inB.OperatorService.ListSearchAttributesAsync(new ListSearchAttributesRequest { Namespace = AuthorizationFixture.NamespaceB }));
    }

    [Fact]
    public async Task SystemAdmin_RegistersNamespaces_NamespaceAdminOnlyTheOneItAdministers()
    {
        var system = await fixture.ConnectAsync(fixture.Token("root", "temporal-system:admin"));
        var nsAdmin = await fixture.ConnectAsync(fixture.Token("admin-a", $"{AuthorizationFixture.NamespaceA}:admin"));
        var byRoot = $"auth-root-{Guid.NewGuid():N}";
        var byOther = $"auth-other-{Guid.NewGuid():N}";

        await system.WorkflowService.RegisterNamespaceAsync(Register(byRoot));
        await AssertDeniedAsync(() => nsAdmin.WorkflowService.RegisterNamespaceAsync(Register(byOther)));
        await AssertDeniedAsync(() => nsAdmin.WorkflowService.ListNamespacesAsync(new ListNamespacesRequest()));

        var names = (await system.WorkflowService.ListNamespacesAsync(new ListNamespacesRequest { PageSize = 1000 })).Namespaces.Select(n => n.NamespaceInfo.Name).ToList();
        Assert.Contains(byRoot, names);
        Assert.DoesNotContain(byOther, names);

        // Temporal scopes RegisterNamespace to the namespace it names: the holder of "x:admin" may register x.
        var own = $"auth-own-{Guid.NewGuid():N}";
        var ownAdmin = await fixture.ConnectAsync(fixture.Token("owner", $"{own}:admin"));
        await ownAdmin.WorkflowService.RegisterNamespaceAsync(Register(own));
    }

    [Fact]
    public async Task BadOrMissingToken_Unauthenticated_HealthStillOpen()
    {
        var now = DateTime.UtcNow;
        using var impostor = TestSigningKey.ImpostorOf(fixture.Rsa);
        using var stranger = TestSigningKey.Rsa($"stranger-{Guid.NewGuid():N}");
        // Connecting calls GetSystemInfo, which Temporal answers to anyone.
        var anonymous = await fixture.ConnectAsync(token: null);

        await AssertUnauthenticatedAsync(anonymous, metadata: []);
        foreach (var header in new[]
        {
            "Bearer " + fixture.Rsa.Token("late", ["default:admin"], now.AddHours(-2), now.AddHours(-1)),
            "Bearer " + fixture.Rsa.Token("early", ["default:admin"], now.AddHours(1), now.AddHours(2)),
            "Bearer " + impostor.Token("forger", ["default:admin"]),
            "Bearer " + stranger.Token("stranger", ["default:admin"]),
            "Basic " + Convert.ToBase64String("user:pass"u8.ToArray()),
        })
        {
            await AssertUnauthenticatedAsync(anonymous, new() { ["authorization"] = header });
        }
        // A wrong internal-caller value is no proof: the call is authorized as any client's.
        await AssertUnauthenticatedAsync(anonymous, new() { [Tempora.Core.Loopback.InternalCaller.Header] = "guessed" });

        using var channel = GrpcChannel.ForAddress($"http://{fixture.Server.GrpcAddress}");
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = "temporal.api.workflowservice.v1.WorkflowService" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task KeyRotation_NewKeyAcceptedOnceTheJwksHasIt()
    {
        using var rotated = TestSigningKey.Rsa($"rotated-{Guid.NewGuid():N}");
        var anonymous = await fixture.ConnectAsync(token: null);
        var metadata = new Dictionary<string, string> { ["authorization"] = "Bearer " + rotated.Token("rotated", ["default:read"]) };
        await AssertUnauthenticatedAsync(anonymous, metadata);

        fixture.Serve(rotated);

        await Wait.UntilAsync(async () =>
        {
            try
            {
                await anonymous.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" }, new RpcOptions { Metadata = metadata });
                return true;
            }
            catch (RpcException e) when (e.Code == RpcException.StatusCode.Unauthenticated)
            {
                return false;
            }
        }, ok => ok, "the server to read the rotated key from the JWKS", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task CrossNamespaceCommand_NeedsTheRightInTheTargetNamespace()
    {
        var onlyA = await fixture.ConnectAsync(fixture.Token("a-writer", $"{AuthorizationFixture.NamespaceA}:write"), AuthorizationFixture.NamespaceA);
        var both = await fixture.ConnectAsync(
            fixture.Token("ab-writer", $"{AuthorizationFixture.NamespaceA}:write", $"{AuthorizationFixture.NamespaceB}:write"), AuthorizationFixture.NamespaceA);
        var completion = new RespondWorkflowTaskCompletedRequest
        {
            Namespace = AuthorizationFixture.NamespaceA,
            TaskToken = Google.Protobuf.ByteString.CopyFromUtf8("not a real task token"),
            Commands =
            {
                new Command
                {
                    CommandType = CommandType.SignalExternalWorkflowExecution,
#pragma warning disable CS0612 // deprecated in the API, still honoured by Temporal and Tempora
                    SignalExternalWorkflowExecutionCommandAttributes = new()
                    {
                        Namespace = AuthorizationFixture.NamespaceB,
                        Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = "target" },
                        SignalName = "go",
                    },
#pragma warning restore CS0612
                },
            },
        };

        await AssertDeniedAsync(() => onlyA.WorkflowService.RespondWorkflowTaskCompletedAsync(completion));
        // Allowed through authorization; the made-up task token is what the frontend then refuses.
        var e = await Assert.ThrowsAsync<RpcException>(() => both.WorkflowService.RespondWorkflowTaskCompletedAsync(completion));
        Assert.NotEqual(RpcException.StatusCode.PermissionDenied, e.Code);
        Assert.NotEqual(RpcException.StatusCode.Unauthenticated, e.Code);
    }

    [Fact]
    public async Task ScheduleAndBatchOfAWriter_RunThroughTheWorkerRole()
    {
        var writer = await fixture.ConnectAsync(fixture.Token("writer", "default:write"));
        var taskQueue = ServerFixture.NewTaskQueue();
        var scheduledType = $"AuthScheduled{Guid.NewGuid():N}";
        var id = ServerFixture.NewWorkflowId("sched");
        var schedule = await writer.CreateScheduleAsync(id, new Schedule(
            ScheduleActionStartWorkflow.Create(scheduledType, Anyone, new(id + "-run", taskQueue)), new ScheduleSpec())
        { State = new ScheduleState { Paused = true } });
        await schedule.TriggerAsync();
        await Wait.UntilAsync(() => writer.ListWorkflowsAsync($"WorkflowType = '{scheduledType}'").ToListAsync().AsTask(), l => l.Count == 1,
            "the schedule's worker role to start its workflow");
        await schedule.DeleteAsync();

        var batchType = $"AuthBatch{Guid.NewGuid():N}";
        var handles = new List<WorkflowHandle>();
        for (var i = 0; i < 2; i++)
        {
            handles.Add(await writer.StartWorkflowAsync(batchType, Anyone, new(ServerFixture.NewWorkflowId(), taskQueue)));
        }
        var query = $"WorkflowType = '{batchType}'";
        await Wait.UntilAsync(() => writer.ListWorkflowsAsync(query).ToListAsync().AsTask(), l => l.Count == 2, "both workflows to be listed");
        await writer.WorkflowService.StartBatchOperationAsync(new StartBatchOperationRequest
        {
            Namespace = "default",
            JobId = ServerFixture.NewWorkflowId("batch"),
            VisibilityQuery = query,
            Reason = "authorized batch",
            TerminationOperation = new() { Identity = "writer" },
        });
        foreach (var handle in handles)
        {
            await Wait.UntilAsync(async () => (await handle.DescribeAsync()).Status, s => s == WorkflowExecutionStatus.Terminated,
                "the batch's worker role to terminate the workflow");
        }
    }

    [Fact]
    public async Task WebUi_IsNotTheSystemCaller_WithoutAUsersTokenItReadsNothing()
    {
        var writer = await fixture.ConnectAsync(fixture.Token("writer", "default:write"));
        var id = ServerFixture.NewWorkflowId();
        var handle = await writer.StartWorkflowAsync("AuthIdle", Anyone, new(id, ServerFixture.NewTaskQueue()));

        // With the worker role's proof the UI would redirect to the run's page; it has only the user's token, here none.
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var response = await http.GetAsync(new Uri($"http://{fixture.Server.UiAddress}/namespaces/default/workflows/{id}"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain(handle.ResultRunId!, response.Headers.Location?.ToString() ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(handle.ResultRunId!, body, StringComparison.Ordinal);
    }

    private static RegisterNamespaceRequest Register(string name) => new()
    {
        Namespace = name,
        WorkflowExecutionRetentionPeriod = Duration.FromTimeSpan(TimeSpan.FromDays(1)),
    };

    private static async Task AssertDeniedAsync(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal((RpcException.StatusCode.PermissionDenied, "Request unauthorized."), (e.Code, e.Message));
    }

    private static async Task AssertUnauthenticatedAsync(TemporalClient client, Dictionary<string, string> metadata)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => client.WorkflowService.DescribeNamespaceAsync(
            new DescribeNamespaceRequest { Namespace = "default" }, new RpcOptions { Metadata = metadata }));
        Assert.Equal((RpcException.StatusCode.Unauthenticated, "Request unauthenticated."), (e.Code, e.Message));
    }
}

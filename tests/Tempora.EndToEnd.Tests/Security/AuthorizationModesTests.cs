using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Tempora.Frontend.Authorization;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// Temporal's two plug-ins set apart, as its interceptor combines them: the default claim mapper without an authorizer
/// still refuses a bad token but serves anyone else; the default authorizer without a claim mapper sees every caller
/// as a system admin (Temporal's no-op claim mapper).
/// </summary>
public sealed class AuthorizationModesTests : IDisposable
{
    private readonly string _dir = TestFiles.NewTempDir();
    private readonly TestSigningKey _key = TestSigningKey.Rsa("modes");

    [Fact]
    public async Task ClaimMapperWithoutAuthorizer_BadTokenRefused_OthersServed()
    {
        var jwks = Path.Combine(_dir, "jwks.json");
        await File.WriteAllTextAsync(jwks, TestSigningKey.Jwks([_key]));
        await using var server = await OwnServer.StartAsync("authz-mapper", o => o with
        {
            Authorization = new AuthorizationSettings { ClaimMapper = "default", KeySourceUris = [new Uri(jwks).AbsoluteUri] },
        });

        await server.Client.StartWorkflowAsync("Idle", [], new(ServerFixture.NewWorkflowId(), ServerFixture.NewTaskQueue()));
        await DescribeAsync(server.Client, "Bearer " + _key.Token("reader", ["default:read"]));
        var e = await Assert.ThrowsAsync<RpcException>(() => DescribeAsync(server.Client, "Bearer " + _key.Token("late", [], DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(-1))));
        Assert.Equal(RpcException.StatusCode.Unauthenticated, e.Code);
    }

    [Fact]
    public async Task AuthorizerWithoutClaimMapper_EveryoneIsSystemAdmin()
    {
        await using var server = await OwnServer.StartAsync("authz-authorizer", o => o with
        {
            Authorization = new AuthorizationSettings { Authorizer = "default" },
        });

        await server.Client.WorkflowService.ListNamespacesAsync(new ListNamespacesRequest());
        await server.Client.StartWorkflowAsync("Idle", [], new(ServerFixture.NewWorkflowId(), ServerFixture.NewTaskQueue()));
        await DescribeAsync(server.Client, "Bearer not-even-a-token");
    }

    private static Task DescribeAsync(TemporalClient client, string authorization) =>
        client.WorkflowService.DescribeNamespaceAsync(new DescribeNamespaceRequest { Namespace = "default" },
            new RpcOptions { Metadata = new Dictionary<string, string> { ["authorization"] = authorization } });

    public void Dispose()
    {
        _key.Dispose();
        TestFiles.TryDeleteDirectory(_dir);
    }
}

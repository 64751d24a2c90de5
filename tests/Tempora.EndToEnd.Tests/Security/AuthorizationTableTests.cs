using Tempora.Frontend.Authorization;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// The default authorizer's table and role rules against Temporal's (common/api/metadata.go and
/// common/authorization/default_authorizer.go of v1.28.4), without a server.
/// </summary>
public sealed class AuthorizationTableTests
{
    private const string Ws = ApiMethods.WorkflowServicePrefix;
    private const string Op = ApiMethods.OperatorServicePrefix;

    [Fact]
    public void Table_EveryMethodOfTheServices_HasAScopeAndAccess()
    {
        var missing = new List<string>();
        foreach (var service in new[]
        {
            Temporalio.Api.WorkflowService.V1.ServiceReflection.Descriptor.Services[0],
            Temporalio.Api.OperatorService.V1.ServiceReflection.Descriptor.Services[0],
        })
        {
            foreach (var method in service.Methods)
            {
                var (scope, access) = ApiMethods.Of($"/{service.FullName}/{method.Name}");
                if (scope == ApiScope.Unknown || access == ApiAccess.Unknown)
                {
                    missing.Add($"{service.Name}.{method.Name}");
                }
            }
        }
        Assert.True(missing.Count == 0, $"Methods with no scope/access in ApiMethods (default authorizer refuses them): {string.Join(", ", missing)}");
    }

    [Theory]
    [InlineData("read", "DescribeWorkflowExecution", true)]
    [InlineData("read", "StartWorkflowExecution", false)]
    [InlineData("write", "StartWorkflowExecution", true)]
    [InlineData("write", "PollWorkflowTaskQueue", true)]
    [InlineData("write", "UpdateNamespace", false)]
    [InlineData("admin", "UpdateNamespace", true)]
    // Temporal compares role bits numerically: worker (1) alone is below reader (2), so it grants nothing.
    [InlineData("worker", "PollWorkflowTaskQueue", false)]
    [InlineData("worker", "DescribeWorkflowExecution", false)]
    [InlineData("unknown-role", "DescribeWorkflowExecution", false)]
    public void NamespaceRole_GrantsWhatTemporalGrants(string role, string method, bool allowed)
    {
        var claims = Claims("ns-a", role);
        Assert.Equal(allowed, DefaultAuthorizer.IsAllowed(claims, Ws + method, "ns-a"));
        Assert.False(DefaultAuthorizer.IsAllowed(claims, Ws + method, "ns-b"));
    }

    [Fact]
    public void ReadAndWorker_Combined_PassReadersChecksOnly()
    {
        var claims = new Claims("s", Role.None, new Dictionary<string, Role> { ["ns"] = Role.Reader | Role.Worker });
        Assert.True(DefaultAuthorizer.IsAllowed(claims, Ws + "ListWorkflowExecutions", "ns"));
        Assert.False(DefaultAuthorizer.IsAllowed(claims, Ws + "PollActivityTaskQueue", "ns"));
    }

    [Fact]
    public void ClusterScope_NeedsASystemRole_NamespaceRolesDoNotCount()
    {
        var nsAdmin = Claims("ns", "admin");
        Assert.False(DefaultAuthorizer.IsAllowed(nsAdmin, Ws + "ListNamespaces", ""));
        Assert.False(DefaultAuthorizer.IsAllowed(nsAdmin, Op + "ListClusters", ""));
        var systemReader = new Claims("s", Role.Reader, new Dictionary<string, Role>());
        Assert.True(DefaultAuthorizer.IsAllowed(systemReader, Ws + "ListNamespaces", ""));
        Assert.False(DefaultAuthorizer.IsAllowed(systemReader, Op + "ListClusters", ""));
        // A system role holds in every namespace.
        Assert.True(DefaultAuthorizer.IsAllowed(systemReader, Ws + "DescribeWorkflowExecution", "any"));
        Assert.False(DefaultAuthorizer.IsAllowed(systemReader, Ws + "SignalWorkflowExecution", "any"));
    }

    [Fact]
    public void RegisterNamespace_IsNamespaceScoped_AsInTemporal()
    {
        // Temporal scopes RegisterNamespace to the namespace it names: its admin may register it, nobody else but a
        // system admin may.
        Assert.True(DefaultAuthorizer.IsAllowed(Claims("new-ns", "admin"), Ws + "RegisterNamespace", "new-ns"));
        Assert.False(DefaultAuthorizer.IsAllowed(Claims("ns-a", "admin"), Ws + "RegisterNamespace", "new-ns"));
        Assert.True(DefaultAuthorizer.IsAllowed(new Claims("s", Role.Admin, new Dictionary<string, Role>()), Ws + "RegisterNamespace", "new-ns"));
    }

    [Fact]
    public void HealthChecks_AllowedWithoutClaims_OthersNot()
    {
        Assert.True(DefaultAuthorizer.IsAllowed(null, Ws + "GetSystemInfo", ""));
        Assert.True(DefaultAuthorizer.IsAllowed(null, "/grpc.health.v1.Health/Check", ""));
        Assert.False(DefaultAuthorizer.IsAllowed(null, Ws + "GetClusterInfo", ""));
        Assert.False(DefaultAuthorizer.IsAllowed(new Claims("s", Role.Admin, new Dictionary<string, Role>()), "/some.Other/Method", ""));
    }

    private static Claims Claims(string ns, string role) => new("subject", Role.None, new Dictionary<string, Role>
    {
        [ns] = role switch { "read" => Role.Reader, "write" => Role.Writer, "worker" => Role.Worker, "admin" => Role.Admin, _ => Role.None },
    });
}

using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Cluster.Internal;
using Tempora.Cluster.Membership;
using Tempora.Cluster.Peers;
using Tempora.Core;
using Tempora.Core.Tls;

namespace Tempora.Cluster.Tests.Peers;

/// <summary>
/// Who may forward a request or call the cluster service: a caller with the cluster secret or an internode client
/// certificate; anyone else is refused (PermissionDenied, logged with its address) and the call goes no further.
/// </summary>
public sealed class PeerAuthenticationTests : IDisposable
{
    private const string Secret = "a-cluster-secret-of-some-length";
    private const string Signal = "/temporal.api.workflowservice.v1.WorkflowService/SignalWorkflowExecution";
    private static readonly string StartChild = "/" + ClusterMethods.ServiceName + "/StartChild";

    private readonly TestCertificates _internode = new("internode-ca");
    private readonly TestCertificates _frontend = new("frontend-ca");
    private readonly ListLogger _log = new();

    public void Dispose()
    {
        _internode.Dispose();
        _frontend.Dispose();
    }

    private PeerAuthentication Peers(IShardOwnership? ownership = null, string? secret = Secret) => new(
        ownership ?? new Replica(),
        secret is null ? ClusterSecret.None : ClusterSecret.Of(secret),
        new InternodeTrust(CasOnly(_internode.Ca)),
        _log);

    /// <summary>The internode CAs as the server holds them: a certificate set of CAs only, never re-read.</summary>
    private static CertificateReloader CasOnly(X509Certificate2 ca) =>
        new("internode CA", null, null, [PemSource.FromData("internode CA", ca.ExportCertificatePem())], TimeSpan.Zero, NullLogger.Instance);

    private static Metadata Forwarded(string? secret = null)
    {
        var headers = new Metadata { { ClusterChannels.ForwardedHeader, "1" } };
        if (secret is not null)
        {
            headers.Add(ClusterSecret.Header, secret);
        }
        return headers;
    }

    [Fact]
    public void AClientCall_WithoutTheMarker_IsLetThrough_AsAClientsCall()
    {
        var context = new TestCallContext(Signal, []);

        Peers().Authenticate(context);

        Assert.False(ClusterChannels.IsForwarded(context));
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public void AMarkedCall_WithTheClusterSecret_IsAReplicasForward()
    {
        var context = new TestCallContext(Signal, Forwarded(Secret));

        Peers().Authenticate(context);

        Assert.True(ClusterChannels.IsForwarded(context));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a-cluster-secret-of-some-lengtX")]
    [InlineData("a-cluster-secret-of-some-length ")]
    public void AMarkedCall_WithoutTheRightSecret_IsRefusedAndLogged(string? presented)
    {
        var context = new TestCallContext(Signal, Forwarded(presented));

        var refused = Assert.Throws<RpcException>(() => Peers().Authenticate(context));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal("Request unauthorized.", refused.Status.Detail);
        var details = Temporalio.Api.Common.V1.GrpcStatus.Parser.ParseFrom(refused.Trailers.GetValueBytes("grpc-status-details-bin"));
        Assert.True(Assert.Single(details.Details).Is(Temporalio.Api.ErrorDetails.V1.PermissionDeniedFailure.Descriptor));
        Assert.False(ClusterChannels.IsForwarded(context));
        var warning = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("192.0.2.7:40000", warning.Message, StringComparison.Ordinal);
        Assert.Contains("SignalWorkflowExecution", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AClusterServiceCall_WithoutTheMarker_StillNeedsAReplica()
    {
        var stranger = new TestCallContext(StartChild, []);
        var replica = new TestCallContext(StartChild, new Metadata { { ClusterSecret.Header, Secret } });

        Assert.Equal(StatusCode.PermissionDenied, Assert.Throws<RpcException>(() => Peers().Authenticate(stranger)).StatusCode);
        Assert.Throws<RpcException>(() => PeerAuthentication.RequireProvenReplica(stranger));
        Peers().Authenticate(replica);
        PeerAuthentication.RequireProvenReplica(replica);
    }

    [Fact]
    public void AnInternodeClientCertificate_ProvesAReplica_WithoutTheSecret()
    {
        using var replicaCertificate = _internode.Issue("replica-1");
        var context = new TestCallContext(Signal, Forwarded(), replicaCertificate);

        Peers(secret: null).Authenticate(context);

        Assert.True(ClusterChannels.IsForwarded(context));
    }

    [Fact]
    public void AClientCertificateOfAnotherCa_ProvesNothing()
    {
        using var sdkCertificate = _frontend.Issue("an-sdk-client");
        var context = new TestCallContext(Signal, Forwarded(), sdkCertificate);

        Assert.Equal(StatusCode.PermissionDenied, Assert.Throws<RpcException>(() => Peers().Authenticate(context)).StatusCode);
    }

    [Fact]
    public void WithoutInternodeCas_NoCertificateProvesAReplica()
    {
        using var replicaCertificate = _internode.Issue("replica-1");

        Assert.False(InternodeTrust.None.IsInternodeCertificate(replicaCertificate));
        Assert.False(new InternodeTrust(new CertificateReloader("no internode CA", null, null, [], TimeSpan.Zero, NullLogger.Instance))
            .IsInternodeCertificate(replicaCertificate));
    }

    [Fact]
    public void AProcessAloneOnItsStore_HasNoReplicas_AndRefusesEvenTheSecretAndTheCertificate()
    {
        using var replicaCertificate = _internode.Issue("replica-1");
        var peers = Peers(new SingleProcessShards(4));

        Assert.Throws<RpcException>(() => peers.Authenticate(new TestCallContext(Signal, Forwarded(Secret))));
        Assert.Throws<RpcException>(() => peers.Authenticate(new TestCallContext(StartChild, [], replicaCertificate)));
    }

    [Fact]
    public void WithoutASecret_NoPresentedValueMatches()
    {
        Assert.False(ClusterSecret.None.Matches(""));
        Assert.False(ClusterSecret.None.Matches(Secret));
        Assert.Throws<RpcException>(() => Peers(secret: null).Authenticate(new TestCallContext(Signal, Forwarded(""))));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("sixteen-chars-é!")]
    [InlineData("has\na-newline-inside")]
    public void AWeakOrUnsendableSecret_IsRefused(string secret)
    {
        Assert.NotNull(ClusterSecret.Problem(secret));
        Assert.Throws<ArgumentException>(() => ClusterSecret.Of(secret));
    }

    /// <summary>A replica of a two-process cluster, as far as trust goes: it does not own every shard.</summary>
    private sealed class Replica : IShardOwnership
    {
        public int Count => 4;

        public IReadOnlyList<string> Peers => ["127.0.0.1:1"];

        public bool OwnsEveryShard => false;

        public ShardRoute Route(int shard) => ShardRoute.Local;

        public ShardFence Fence(WorkflowKey key) => throw new NotSupportedException();
    }

    private sealed class ListLogger : ILogger<PeerAuthentication>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}

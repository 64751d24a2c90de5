using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Tempora.Cluster.Tests.Peers;

/// <summary>
/// The server side of one call as an interceptor sees it: method, headers (as metadata and in the HTTP request),
/// remote address and the connection's client certificate (Grpc.AspNetCore's GetHttpContext finds the HttpContext in
/// the user state when the context is not its own).
/// </summary>
internal sealed class TestCallContext : ServerCallContext
{
    private readonly Dictionary<object, object> _userState = [];

    public TestCallContext(string method, Metadata headers, System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate = null)
    {
        MethodCore = method;
        RequestHeadersCore = headers;
        var http = new DefaultHttpContext();
        http.Connection.ClientCertificate = clientCertificate;
        // In a real call both views hold the same headers (the server reads them from the HTTP request).
        foreach (var entry in headers)
        {
            http.Request.Headers.Append(entry.Key, entry.Value);
        }
        _userState["__HttpContext"] = http;
    }

    protected override string MethodCore { get; }

    protected override string HostCore => "127.0.0.1";

    protected override string PeerCore => "ipv4:192.0.2.7:40000";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore { get; }

    protected override CancellationToken CancellationTokenCore => CancellationToken.None;

    protected override Metadata ResponseTrailersCore { get; } = [];

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore => new(null, []);

    protected override IDictionary<object, object> UserStateCore => _userState;

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}

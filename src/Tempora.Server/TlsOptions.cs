using Tempora.Core.Tls;

namespace Tempora.Server;

/// <summary>
/// TLS of every listener (Temporal's <c>global.tls</c>, plus Tempora's <c>tls.ui</c> and <c>tls.metrics</c>). A null
/// listener setting means plaintext there. One gRPC port serves SDKs and peers, so internode TLS needs frontend TLS.
/// </summary>
public sealed record TlsOptions
{
    /// <summary>How often certificate files are checked for new content (global.tls.refreshInterval); zero: never.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The gRPC port's certificate for SDKs and the CAs of their client certificates.</summary>
    public TlsServerSettings? Frontend { get; init; }

    /// <summary>The certificate presented to peers (chosen by SNI = <see cref="InternodeClient"/>'s server name) and
    /// as client certificate to them; its client CAs prove a caller is a replica.</summary>
    public TlsServerSettings? Internode { get; init; }

    /// <summary>How peers' certificates are verified.</summary>
    public TlsClientSettings? InternodeClient { get; init; }

    /// <summary>The web UI listener's TLS.</summary>
    public TlsServerSettings? Ui { get; init; }

    /// <summary>The metrics and health listener's TLS.</summary>
    public TlsServerSettings? Metrics { get; init; }
}

using System.Net.Security;
using Microsoft.Extensions.Logging;
using Tempora.Cluster.Peers;
using Tempora.Core.Tls;

namespace Tempora.Server;

/// <summary>The certificate reloaders of every listener and of the peer client, made from <see cref="TlsOptions"/>.</summary>
internal sealed class ServerTls : IDisposable
{
    private readonly List<CertificateReloader> _reloaders = [];

    public ServerTls(TlsOptions options, ILoggerFactory loggers)
    {
        if (options.Internode is not null && options.Frontend is null)
        {
            throw new CertificateLoadException(
                "Internode TLS (global.tls.internode.server) needs frontend TLS (global.tls.frontend.server): SDKs and replicas share one gRPC port.");
        }
        var logger = loggers.CreateLogger<CertificateReloader>();
        try
        {
            CertificateReloader? Reloader(string name, TlsServerSettings? settings) => settings is null
                ? null
                : Track(new CertificateReloader(name, settings.Certificate, settings.PrivateKey, settings.ClientCas, options.RefreshInterval, logger));
            var frontend = Reloader("frontend", options.Frontend);
            var internode = Reloader("internode", options.Internode);
            var roots = options.InternodeClient is { RootCas.Count: > 0 } client
                ? Track(new CertificateReloader("internode roots", null, null, client.RootCas, options.RefreshInterval, logger))
                : null;
            var ui = Reloader("ui", options.Ui);
            var metrics = Reloader("metrics", options.Metrics);

            Grpc = frontend is null ? null : new ListenerTls(frontend, options.Frontend!.RequireClientAuth, SslApplicationProtocol.Http2,
                internode, options.Internode, options.InternodeClient?.ServerName);
            Ui = ui is null ? null : new ListenerTls(ui, options.Ui!.RequireClientAuth, SslApplicationProtocol.Http11);
            Metrics = metrics is null ? null : new ListenerTls(metrics, options.Metrics!.RequireClientAuth, SslApplicationProtocol.Http11);
            InternodeTrust = internode is null ? InternodeTrust.None : roots is null ? new InternodeTrust(internode) : new InternodeTrust(internode, roots);
            // The gRPC port speaks TLS to peers too, so they connect with TLS whenever the frontend does.
            Peers = frontend is null
                ? PeerTls.Plaintext
                : new PeerTls(internode, roots, options.InternodeClient ?? new TlsClientSettings(null, false, []));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The gRPC listener's handshake; null for h2c.</summary>
    public ListenerTls? Grpc { get; }

    public ListenerTls? Ui { get; }

    public ListenerTls? Metrics { get; }

    public InternodeTrust InternodeTrust { get; }

    public PeerTls Peers { get; }

    public void Dispose()
    {
        foreach (var reloader in _reloaders)
        {
            reloader.Dispose();
        }
    }

    private CertificateReloader Track(CertificateReloader reloader)
    {
        _reloaders.Add(reloader);
        return reloader;
    }
}

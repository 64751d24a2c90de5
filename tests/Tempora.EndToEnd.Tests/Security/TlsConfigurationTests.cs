using System.Collections;
using Microsoft.Extensions.Logging.Abstractions;
using Tempora.Cli;
using Tempora.Core.Tls;
using Tempora.Server;

namespace Tempora.EndToEnd.Tests.Security;

/// <summary>
/// TLS settings as `tempora start` reads them: Temporal's global.tls keys and its image's TEMPORAL_TLS_* variables,
/// Tempora's tls.ui / tls.metrics, and a clear error naming the key (and file) for each bad one; and the reloader
/// that keeps the previous certificate when a changed file does not load.
/// </summary>
public sealed class TlsConfigurationTests : IDisposable
{
    private readonly string _dir = TestFiles.NewTempDir();
    private readonly TestCa _ca = new("Tempora config test CA");
    private readonly TestLeaf _leaf;
    private readonly string _cert;
    private readonly string _key;
    private readonly string _caFile;

    public TlsConfigurationTests()
    {
        _leaf = _ca.Issue("localhost");
        (_cert, _key) = _leaf.WriteTo(_dir);
        _caFile = Path.Combine(_dir, "ca.pem");
        File.WriteAllText(_caFile, _ca.Pem);
    }

    public void Dispose()
    {
        _leaf.Dispose();
        _ca.Dispose();
        TestFiles.TryDeleteDirectory(_dir);
    }

    [Fact]
    public void TemporalImageVariables_MapOntoGlobalTls()
    {
        var tls = Load(new Hashtable
        {
            ["TEMPORAL_TLS_REFRESH_INTERVAL"] = "30s",
            ["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"] = "true",
            ["TEMPORAL_TLS_FRONTEND_CERT"] = _cert,
            ["TEMPORAL_TLS_FRONTEND_KEY"] = _key,
            ["TEMPORAL_TLS_CLIENT1_CA_CERT"] = _caFile,
            ["TEMPORAL_TLS_CLIENT2_CA_CERT"] = _caFile,
            ["TEMPORAL_TLS_SERVER_CERT"] = _cert,
            ["TEMPORAL_TLS_SERVER_KEY"] = _key,
            ["TEMPORAL_TLS_SERVER_CA_CERT"] = _caFile,
            ["TEMPORAL_TLS_INTERNODE_SERVER_NAME"] = "internode.example",
            ["TEMPORAL_TLS_INTERNODE_DISABLE_HOST_VERIFICATION"] = "true",
        });

        Assert.Equal(TimeSpan.FromSeconds(30), tls.RefreshInterval);
        Assert.Equal(_cert, tls.Frontend!.Certificate.File);
        Assert.Equal("global:tls:frontend:server:keyFile", tls.Frontend.PrivateKey.Setting, ignoreCase: true);
        Assert.True(tls.Frontend.RequireClientAuth);
        Assert.Equal(2, tls.Frontend.ClientCas.Count);
        Assert.Equal(_key, tls.Internode!.PrivateKey.File);
        Assert.True(tls.Internode.RequireClientAuth);
        Assert.Equal(_caFile, Assert.Single(tls.Internode.ClientCas).File);
        Assert.Equal("internode.example", tls.InternodeClient!.ServerName);
        Assert.True(tls.InternodeClient.DisableHostVerification);
        Assert.Equal(_caFile, Assert.Single(tls.InternodeClient.RootCas).File);
        Assert.Null(tls.Ui);
        Assert.Null(tls.Metrics);
    }

    [Fact]
    public void TemporalDataVariables_TakeBase64Pem()
    {
        static string B64(string pem) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pem));
        var tls = Load(new Hashtable
        {
            ["TEMPORAL_TLS_FRONTEND_CERT_DATA"] = B64(_leaf.CertificatePem),
            ["TEMPORAL_TLS_FRONTEND_KEY_DATA"] = B64(_leaf.KeyPem),
            ["TEMPORAL_TLS_CLIENT1_CA_CERT_DATA"] = B64(_ca.Pem),
            ["TEMPORAL_TLS_CLIENT2_CA_CERT_DATA"] = B64(_ca.Pem),
            ["TEMPORAL_TLS_SERVER_CERT_DATA"] = B64(_leaf.CertificatePem),
            ["TEMPORAL_TLS_SERVER_KEY_DATA"] = B64(_leaf.KeyPem),
            ["TEMPORAL_TLS_SERVER_CA_CERT_DATA"] = B64(_ca.Pem),
        });

        Assert.Equal(_leaf.SerialNumber, CertificateSet.Load(tls.Frontend!.Certificate, tls.Frontend.PrivateKey, []).Certificate!.SerialNumber);
        Assert.Equal(2, tls.Frontend.ClientCas.Count);
        Assert.False(tls.Frontend.RequireClientAuth);
        Assert.NotNull(tls.Internode);
        Assert.Single(tls.InternodeClient!.RootCas);
        Assert.Equal(TimeSpan.FromMinutes(1), tls.RefreshInterval);
    }

    [Fact]
    public void TemporaVariables_ConfigureUiAndMetricsListeners()
    {
        var tls = Load(new Hashtable
        {
            ["TEMPORA_UI_TLS_CERT"] = _cert,
            ["TEMPORA_UI_TLS_KEY"] = _key,
            ["TEMPORA_UI_TLS_CLIENT_CA"] = _caFile,
            ["TEMPORA_METRICS_TLS_CERT"] = _cert,
            ["TEMPORA_METRICS_TLS_KEY"] = _key,
            ["TEMPORA_METRICS_TLS_CLIENT_CA"] = _caFile,
            ["TEMPORA_METRICS_TLS_REQUIRE_CLIENT_AUTH"] = "true",
        });

        Assert.Null(tls.Frontend);
        Assert.Equal(_cert, tls.Ui!.Certificate.File);
        Assert.False(tls.Ui.RequireClientAuth);
        Assert.Single(tls.Ui.ClientCas);
        Assert.True(tls.Metrics!.RequireClientAuth);
    }

    [Fact]
    public void ConfigFile_EveryKey()
    {
        var file = Path.Combine(_dir, "tempora.yaml");
        File.WriteAllText(file, $"""
            global:
              tls:
                refreshInterval: 0s
                expirationChecks:
                  warningWindow: 0s
                frontend:
                  server:
                    certFile: {_cert}
                    keyFile: {_key}
                    requireClientAuth: true
                    clientCaFiles: [{_caFile}]
                    clientCaData:
                      - |
            {Indent(_ca.Pem, 12)}
                  client:
                    serverName: ignored.example
                internode:
                  server:
                    certData: |
            {Indent(_leaf.CertificatePem, 10)}
                    keyData: |
            {Indent(_leaf.KeyPem, 10)}
                    clientCaFiles: [{_caFile}]
                  client:
                    serverName: internode.example
                    disableHostVerification: false
                    rootCaFiles: [{_caFile}]
                    rootCaData: []
            tls:
              ui:
                certFile: {_cert}
                keyFile: {_key}
              metrics:
                certFile: {_cert}
                keyFile: {_key}
                requireClientAuth: yes
                clientCaFiles: [{_caFile}]
            """);

        var tls = ServerConfiguration.ToOptions(ServerConfiguration.Load(file, new Hashtable())).Tls;

        Assert.Equal(TimeSpan.Zero, tls.RefreshInterval);
        Assert.Equal(2, tls.Frontend!.ClientCas.Count);
        Assert.NotNull(tls.Internode!.Certificate.Data);
        Assert.Equal("internode.example", tls.InternodeClient!.ServerName);
        Assert.NotNull(tls.Ui);
        Assert.True(tls.Metrics!.RequireClientAuth);
    }

    [Fact]
    public void BadSettings_AreRefusedNamingTheKeyAndFile()
    {
        var missing = Path.Combine(_dir, "missing.pem");
        var garbage = Path.Combine(_dir, "garbage.pem");
        File.WriteAllText(garbage, "not a certificate");
        using var otherLeaf = _ca.Issue("other");
        var otherKey = otherLeaf.WriteTo(_dir, "other-").Key;

        AssertRefused(new() { ["TEMPORAL_TLS_FRONTEND_CERT"] = missing, ["TEMPORAL_TLS_FRONTEND_KEY"] = _key }, "global:tls:frontend:server:certFile", missing);
        AssertRefused(new() { ["TEMPORAL_TLS_FRONTEND_CERT"] = garbage, ["TEMPORAL_TLS_FRONTEND_KEY"] = _key }, "global:tls:frontend:server:certFile", garbage);
        AssertRefused(new() { ["TEMPORAL_TLS_FRONTEND_CERT"] = _cert, ["TEMPORAL_TLS_FRONTEND_KEY"] = otherKey }, "global:tls:frontend:server:keyFile", otherKey);
        AssertRefused(new() { ["TEMPORAL_TLS_FRONTEND_CERT"] = _cert }, "global:tls:frontend:server:keyFile");
        AssertRefused(new() { ["TEMPORAL_TLS_FRONTEND_CERT"] = _cert, ["TEMPORAL_TLS_FRONTEND_KEY"] = _key, ["TEMPORAL_TLS_CLIENT1_CA_CERT"] = garbage },
            "global:tls:frontend:server:clientCaFiles:0", garbage);
        AssertRefused(new() { ["TEMPORA_UI_TLS_CERT"] = _cert, ["TEMPORA_UI_TLS_KEY"] = _key, ["TEMPORA_UI_TLS_REQUIRE_CLIENT_AUTH"] = "true" },
            "tls:ui:requireClientAuth");
        AssertRefused(new() { ["TEMPORAL_TLS_SERVER_CERT"] = _cert, ["TEMPORAL_TLS_SERVER_KEY"] = _key }, "global:tls:internode:server");
        AssertRefused(new() { ["TEMPORAL_TLS_FRONTEND_CERT"] = _cert, ["TEMPORAL_TLS_FRONTEND_KEY"] = _key, ["TEMPORAL_TLS_REFRESH_INTERVAL"] = "soon" },
            "global:tls:refreshInterval");
        AssertRefused(new() { ["TEMPORAL_TLS_FRONTEND_CERT_DATA"] = "%%%", ["TEMPORAL_TLS_FRONTEND_KEY"] = _key }, "global:tls:frontend:server:certData");
        AssertRefused(new() { ["TEMPORA_METRICS_TLS_CLIENT_CA"] = _caFile }, "tls:metrics:certFile");

        var both = Path.Combine(_dir, "both.yaml");
        File.WriteAllText(both, $"global:\n  tls:\n    frontend:\n      server:\n        certFile: {_cert}\n        certData: x\n        keyFile: {_key}\n");
        AssertFileRefused(both, "global:tls:frontend:server:certData");
        var unknown = Path.Combine(_dir, "unknown.yaml");
        File.WriteAllText(unknown, "global:\n  tls:\n    frontend:\n      hostOverrides:\n        a: b\n");
        AssertFileRefused(unknown, "global:tls:frontend:hostOverrides:a");
        var expiry = Path.Combine(_dir, "expiry.yaml");
        File.WriteAllText(expiry, "global:\n  tls:\n    expirationChecks:\n      warningWindow: 72h\n");
        AssertFileRefused(expiry, "global:tls:expirationChecks:warningWindow");
    }

    [Fact]
    public void Reloader_SwapsOnChangedFiles_KeepsPreviousWhenTheNewOnesDoNotLoad()
    {
        using var reloader = new CertificateReloader("test", PemSource.FromFile("certFile", _cert), PemSource.FromFile("keyFile", _key),
            [PemSource.FromFile("clientCaFiles:0", _caFile)], TimeSpan.Zero, NullLogger.Instance);
        Assert.Equal(_leaf.SerialNumber, reloader.Current.Certificate!.SerialNumber);
        Assert.False(reloader.Refresh());

        File.WriteAllText(_cert, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
        Assert.False(reloader.Refresh());
        Assert.Equal(_leaf.SerialNumber, reloader.Current.Certificate!.SerialNumber);

        using var renewed = _ca.Issue("localhost");
        renewed.WriteTo(_dir);
        Assert.True(reloader.Refresh());
        Assert.Equal(renewed.SerialNumber, reloader.Current.Certificate!.SerialNumber);
        Assert.Single(reloader.Current.Cas);
    }

    private static TlsOptions Load(IDictionary environment) => ServerConfiguration.ToOptions(ServerConfiguration.Load(null, environment)).Tls;

    private static void AssertRefused(Dictionary<string, string> environment, string key, string? file = null)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(environment));
        Assert.Contains(key, e.Message, StringComparison.OrdinalIgnoreCase);
        if (file is not null)
        {
            Assert.Contains(file, e.Message, StringComparison.Ordinal);
        }
    }

    private static void AssertFileRefused(string file, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => ServerConfiguration.ToOptions(ServerConfiguration.Load(file, new Hashtable())));
        Assert.Contains(key, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.TrimEnd().Split('\n').Select(l => new string(' ', spaces) + l));
}

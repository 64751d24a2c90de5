using System.Text.Json.Nodes;
using k8s.Models;
using Tempora.Deploy.Tests.Helm;

namespace Tempora.Deploy.Tests;

/// <summary>
/// The chart's security values (docs/security.md): cert-manager Certificates, the Secrets mounted as files and the
/// TEMPORAL_TLS_* / TEMPORA_*_TLS_* variables pointing at them, HTTPS probes and scrapes, the cluster secret, JWT
/// authorization and the UI login, and the values the chart refuses.
/// </summary>
public sealed class HelmChartSecurityTests
{
    private const string Release = "tempora";
    private const string Namespace = "temporal";

    private static readonly HelmChart Chart = new(RepoPaths.Chart);

    private const string TlsValues = """
        tls:
          enabled: true
          certManager:
            issuerRef: {name: homelab-ca}
          frontend:
            dnsNames: [temporal.homelab.local]
            ipAddresses: [192.168.1.240]
        """;

    private static List<Manifest> Render(string overridesYaml, IReadOnlyDictionary<string, Dictionary<string, object?>>? cluster = null) =>
        Manifest.ParseStream(Chart.Render(Release, Namespace,
            (Dictionary<string, object?>)HelmChart.ReadYaml(overridesYaml)!, cluster));

    private static V1Deployment Deployment(List<Manifest> manifests) =>
        ManifestValidator.LoadTyped<V1Deployment>(manifests.Single(m => m.Kind == "Deployment" && m.Name == Release));

    private static V1Container Container(List<Manifest> manifests) =>
        Assert.Single(Deployment(manifests).Spec.Template.Spec.Containers);

    private static Dictionary<string, string> Env(List<Manifest> manifests) =>
        Container(manifests).Env.Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value);

    private static JsonNode CertificateSpec(List<Manifest> manifests, string name) =>
        manifests.Single(m => m.Kind == "Certificate" && m.Name == name).Json["spec"]!;

    private static List<string> Strings(JsonNode? list) => list!.AsArray().Select(n => (string)n!).ToList();

    /// <summary>
    /// Every document validates. shared/k8s-schemas has no cert-manager CRD yet: Certificates are checked against it
    /// once it has, and field by field by the tests meanwhile.
    /// </summary>
    private static void AssertValid(List<Manifest> manifests)
    {
        var problems = manifests
            .Where(m => m.ApiVersion != "cert-manager.io/v1" || ManifestValidator.HasSchema(m))
            .SelectMany(ManifestValidator.Validate)
            .ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>The Secret and key behind a file the container reads: its mount, the volume, and the item mapped there.</summary>
    private static (string Secret, string Key) SecretFile(List<Manifest> manifests, string path)
    {
        var container = Container(manifests);
        var directory = Path.GetDirectoryName(path)!;
        var file = Path.GetFileName(path);
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == directory);
        Assert.True(mount.ReadOnlyProperty);
        Assert.Null(mount.SubPath); // a subPath mount would never see a renewed file
        var volume = Deployment(manifests).Spec.Template.Spec.Volumes.Single(v => v.Name == mount.Name);
        var key = volume.Secret.Items is { Count: > 0 } items ? items.Single(i => i.Path == file).Key : file;
        return (volume.Secret.SecretName, key);
    }

    [Fact]
    public void Defaults_NoTlsNoAuth_OnlyTheGeneratedClusterSecretMounted()
    {
        var manifests = Render("{}");
        AssertValid(manifests);
        Assert.DoesNotContain(manifests, m => m.Kind == "Certificate");
        var env = Env(manifests);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("TEMPORAL_TLS_", StringComparison.Ordinal)
            || k.StartsWith("TEMPORAL_AUTH_", StringComparison.Ordinal) || k.StartsWith("TEMPORAL_JWT_", StringComparison.Ordinal)
            || k.Contains("_TLS_", StringComparison.Ordinal) || (k.StartsWith("TEMPORA_UI_", StringComparison.Ordinal) && k != "TEMPORA_UI_PORT"));
        var container = Container(manifests);
        Assert.All(new[] { container.StartupProbe, container.LivenessProbe, container.ReadinessProbe }, p => Assert.Null(p.HttpGet.Scheme));

        Assert.Equal("/etc/tempora/cluster/secret", env["TEMPORA_CLUSTER_SECRET_FILE"]);
        Assert.Equal(("tempora-cluster", "secret"), SecretFile(manifests, env["TEMPORA_CLUSTER_SECRET_FILE"]));
        var secret = ManifestValidator.LoadTyped<V1Secret>(manifests.Single(m => m.Kind == "Secret" && m.Name == "tempora-cluster"));
        Assert.Equal(48, secret.Data["secret"].Length);
        Assert.All(secret.Data["secret"], b => Assert.True(char.IsAsciiLetterOrDigit((char)b)));
        // Offline (helm template) every render draws a new one: nothing in the chart is a fixed secret.
        var again = Render("{}").Single(m => m.Kind == "Secret").Json["data"]!["secret"]!.GetValue<string>();
        Assert.NotEqual(Convert.ToBase64String(secret.Data["secret"]), again);
    }

    [Fact]
    public void ClusterSecret_AlreadyInTheCluster_IsKeptOnUpgrade()
    {
        var existing = Convert.ToBase64String("an-existing-cluster-secret-of-the-release-000000"u8);
        var cluster = new Dictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal)
        {
            ["v1/Secret/temporal/tempora-cluster"] = new(StringComparer.Ordinal)
            {
                ["data"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["secret"] = existing },
            },
        };
        var secret = Render("{}", cluster).Single(m => m.Kind == "Secret" && m.Name == "tempora-cluster");
        Assert.Equal(existing, (string)secret.Json["data"]!["secret"]!);
    }

    [Fact]
    public void ClusterSecret_ExistingSecretOrNone()
    {
        var own = Render("cluster: {secret: {existingSecret: my-cluster-secret, key: token}}");
        Assert.DoesNotContain(own, m => m.Kind == "Secret");
        Assert.Equal(("my-cluster-secret", "token"), SecretFile(own, Env(own)["TEMPORA_CLUSTER_SECRET_FILE"]));

        // Neither: Tempora keeps one in the database, nothing is mounted.
        var none = Render("cluster: {secret: {create: false}}");
        Assert.DoesNotContain(none, m => m.Kind == "Secret");
        Assert.False(Env(none).ContainsKey("TEMPORA_CLUSTER_SECRET_FILE"));
        Assert.DoesNotContain(Container(none).VolumeMounts, m => m.Name == "cluster-secret");
    }

    [Fact]
    public void Tls_FrontendAndInternodeCertificates_MountedAndNamedByTheTemporalVariables()
    {
        var manifests = Render(TlsValues);
        AssertValid(manifests);
        Assert.Equal(
            ["Certificate/tempora-frontend", "Certificate/tempora-internode", "Certificate/tempora-internode-ca", "Issuer/tempora-internode", "Issuer/tempora-internode-selfsigned"],
            manifests.Where(m => m.ApiVersion == "cert-manager.io/v1").Select(m => $"{m.Kind}/{m.Name}").Order(StringComparer.Ordinal));

        var frontend = CertificateSpec(manifests, "tempora-frontend");
        Assert.Equal("tempora-frontend-tls", (string)frontend["secretName"]!);
        Assert.Equal(("homelab-ca", "ClusterIssuer", "cert-manager.io"),
            ((string)frontend["issuerRef"]!["name"]!, (string)frontend["issuerRef"]!["kind"]!, (string)frontend["issuerRef"]!["group"]!));
        // The HTTP API serves the gRPC port's certificate, so it names the http Service too.
        Assert.Equal(["tempora-grpc", "tempora-grpc.temporal", "tempora-grpc.temporal.svc", "tempora-grpc.temporal.svc.cluster.local",
            "tempora-http", "tempora-http.temporal", "tempora-http.temporal.svc", "tempora-http.temporal.svc.cluster.local", "temporal.homelab.local"],
            Strings(frontend["dnsNames"]));
        Assert.Equal(["192.168.1.240"], Strings(frontend["ipAddresses"]));
        Assert.DoesNotContain("client auth", Strings(frontend["usages"]));
        Assert.Equal(("ECDSA", "PKCS8", "Always"),
            ((string)frontend["privateKey"]!["algorithm"]!, (string)frontend["privateKey"]!["encoding"]!, (string)frontend["privateKey"]!["rotationPolicy"]!));

        // Replicas present the internode certificate to each other as clients too, under a name no client uses. A
        // certificate chaining to its CA makes a replica, so the CA is the release's own, signing nothing else.
        var internode = CertificateSpec(manifests, "tempora-internode");
        Assert.Equal(("tempora-internode", "Issuer"), ((string)internode["issuerRef"]!["name"]!, (string)internode["issuerRef"]!["kind"]!));
        var caIssuer = manifests.Single(m => m.Kind == "Issuer" && m.Name == "tempora-internode").Json["spec"]!["ca"]!;
        var ca = CertificateSpec(manifests, "tempora-internode-ca");
        Assert.Equal((string)ca["secretName"]!, (string)caIssuer["secretName"]!);
        Assert.True((bool)ca["isCA"]!);
        Assert.Equal("Never", (string)ca["privateKey"]!["rotationPolicy"]!);
        Assert.Equal("tempora-internode-selfsigned", (string)ca["issuerRef"]!["name"]!);
        Assert.NotNull(manifests.Single(m => m.Kind == "Issuer" && m.Name == "tempora-internode-selfsigned").Json["spec"]!["selfSigned"]);
        Assert.Equal(1, manifests.Count(m => m.Kind == "Certificate" && (string)m.Json["spec"]!["issuerRef"]!["name"]! == "tempora-internode"));
        Assert.Equal(["tempora-internode.temporal"], Strings(internode["dnsNames"]));
        Assert.Contains("client auth", Strings(internode["usages"]));
        Assert.Contains("server auth", Strings(internode["usages"]));

        var env = Env(manifests);
        Assert.Equal("1m", env["TEMPORAL_TLS_REFRESH_INTERVAL"]);
        Assert.Equal("tempora-internode.temporal", env["TEMPORAL_TLS_INTERNODE_SERVER_NAME"]);
        var files = new Dictionary<string, (string, string)>
        {
            ["TEMPORAL_TLS_FRONTEND_CERT"] = ("tempora-frontend-tls", "tls.crt"),
            ["TEMPORAL_TLS_FRONTEND_KEY"] = ("tempora-frontend-tls", "tls.key"),
            ["TEMPORAL_TLS_SERVER_CERT"] = ("tempora-internode-tls", "tls.crt"),
            ["TEMPORAL_TLS_SERVER_KEY"] = ("tempora-internode-tls", "tls.key"),
            ["TEMPORAL_TLS_SERVER_CA_CERT"] = ("tempora-internode-tls", "ca.crt"),
        };
        foreach (var (variable, expected) in files)
        {
            Assert.Equal(expected, SecretFile(manifests, env[variable]));
        }
        Assert.False(env.ContainsKey("TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"));
        Assert.False(env.ContainsKey("TEMPORAL_TLS_CLIENT1_CA_CERT"));
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("TEMPORA_UI_TLS_", StringComparison.Ordinal) || k.StartsWith("TEMPORA_METRICS_TLS_", StringComparison.Ordinal));
        // Metrics stay plaintext, so do the probes; the schema Job reads no certificate.
        Assert.Null(Container(manifests).ReadinessProbe.HttpGet.Scheme);
        var job = ManifestValidator.LoadTyped<V1Job>(manifests.Single(m => m.Kind == "Job"));
        Assert.DoesNotContain(job.Spec.Template.Spec.Containers[0].Env, e => e.Name.Contains("TLS", StringComparison.Ordinal));
    }

    [Fact]
    public void Tls_EveryListenerWithMtls_HttpsProbesAndServiceMonitor()
    {
        var manifests = Render("""
            tls:
              enabled: true
              refreshInterval: 30s
              certManager:
                issuerRef: {name: homelab-ca}
              frontend:
                requireClientAuth: true
              internode:
                serverName: replicas.tempora.internal
                issuerRef: {name: tempora-internal-ca, kind: Issuer}
              ui:
                enabled: true
                requireClientAuth: true
                clientCaSecret: browser-ca
              metrics:
                enabled: true
            ingress:
              enabled: true
            serviceMonitor:
              enabled: true
            """);
        AssertValid(manifests);
        Assert.Equal(4, manifests.Count(m => m.Kind == "Certificate"));
        // An internode issuer of one's own: no chart-made CA.
        Assert.DoesNotContain(manifests, m => m.Kind == "Issuer");
        var env = Env(manifests);
        Assert.Equal("30s", env["TEMPORAL_TLS_REFRESH_INTERVAL"]);
        Assert.Equal("true", env["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"]);
        // Without a clientCaSecret, client certificates must come from the frontend certificate's own issuer.
        Assert.Equal(("tempora-frontend-tls", "ca.crt"), SecretFile(manifests, env["TEMPORAL_TLS_CLIENT1_CA_CERT"]));
        Assert.Equal("replicas.tempora.internal", env["TEMPORAL_TLS_INTERNODE_SERVER_NAME"]);
        var internode = CertificateSpec(manifests, "tempora-internode");
        Assert.Equal(["replicas.tempora.internal"], Strings(internode["dnsNames"]));
        Assert.Equal(("tempora-internal-ca", "Issuer"), ((string)internode["issuerRef"]!["name"]!, (string)internode["issuerRef"]!["kind"]!));

        Assert.Equal(("tempora-ui-tls", "tls.crt"), SecretFile(manifests, env["TEMPORA_UI_TLS_CERT"]));
        Assert.Equal(("tempora-ui-tls", "tls.key"), SecretFile(manifests, env["TEMPORA_UI_TLS_KEY"]));
        Assert.Equal(("browser-ca", "ca.crt"), SecretFile(manifests, env["TEMPORA_UI_TLS_CLIENT_CA"]));
        Assert.Equal("true", env["TEMPORA_UI_TLS_REQUIRE_CLIENT_AUTH"]);
        // The Ingress reaches the UI by its host name when it verifies the backend or passes TLS through.
        Assert.Contains("temporal.homelab.local", Strings(CertificateSpec(manifests, "tempora-ui")["dnsNames"]));
        Assert.Equal(("tempora-metrics-tls", "tls.crt"), SecretFile(manifests, env["TEMPORA_METRICS_TLS_CERT"]));
        Assert.Equal(("tempora-metrics-tls", "tls.key"), SecretFile(manifests, env["TEMPORA_METRICS_TLS_KEY"]));

        var container = Container(manifests);
        Assert.All(new[] { container.StartupProbe, container.LivenessProbe, container.ReadinessProbe }, p =>
        {
            Assert.Equal("HTTPS", p.HttpGet.Scheme);
            Assert.Equal("http-metrics", p.HttpGet.Port.Value);
        });
        var endpoint = manifests.Single(m => m.Kind == "ServiceMonitor").Json["spec"]!["endpoints"]![0]!;
        Assert.Equal("https", (string)endpoint["scheme"]!);
        Assert.Equal("tempora-metrics.temporal.svc", (string)endpoint["tlsConfig"]!["serverName"]!);
        Assert.Contains("tempora-metrics.temporal.svc", Strings(CertificateSpec(manifests, "tempora-metrics")["dnsNames"]));
        Assert.Equal(("tempora-metrics-tls", "ca.crt"),
            ((string)endpoint["tlsConfig"]!["ca"]!["secret"]!["name"]!, (string)endpoint["tlsConfig"]!["ca"]!["secret"]!["key"]!));
    }

    [Fact]
    public void Tls_ExistingSecretsWithoutCertManager_NoCertificates()
    {
        var manifests = Render("""
            tls:
              enabled: true
              certManager: {enabled: false}
              frontend: {existingSecret: my-frontend, requireClientAuth: true, clientCaSecret: my-clients, clientCaKey: clients.pem}
              internode: {existingSecret: my-internode}
            """);
        AssertValid(manifests);
        Assert.DoesNotContain(manifests, m => m.Kind == "Certificate");
        var env = Env(manifests);
        Assert.Equal(("my-frontend", "tls.crt"), SecretFile(manifests, env["TEMPORAL_TLS_FRONTEND_CERT"]));
        Assert.Equal(("my-clients", "clients.pem"), SecretFile(manifests, env["TEMPORAL_TLS_CLIENT1_CA_CERT"]));
        Assert.Equal(("my-internode", "ca.crt"), SecretFile(manifests, env["TEMPORAL_TLS_SERVER_CA_CERT"]));
    }

    [Theory]
    [InlineData("tls: {enabled: true}", "tls.certManager.issuerRef.name is required")]
    [InlineData("tls: {enabled: true, frontend: {existingSecret: x}, ui: {enabled: true}}", "tls.certManager.issuerRef.name is required")]
    [InlineData("tls: {enabled: true, certManager: {enabled: false}, frontend: {existingSecret: x}}", "needs its existingSecret")]
    [InlineData("tls: {enabled: true, certManager: {issuerRef: {name: ca}}, ui: {enabled: true, requireClientAuth: true}}", "tls.ui.requireClientAuth needs tls.ui.clientCaSecret")]
    [InlineData("authorization: {enabled: true}", "authorization.jwksUrl is required")]
    [InlineData("authorization: {enabled: true, jwksUrl: 'https://idp.example/keys'}", "the UI would have no token")]
    [InlineData("ui: {auth: {enabled: true, providerUrl: 'https://dex.example', clientId: tempora, callbackUrl: 'https://ui.example/auth/sso/callback'}}", "ui.auth.clientSecret.existingSecret is required")]
    [InlineData("ui: {auth: {enabled: true, clientId: tempora}}", "ui.auth.providerUrl is required")]
    public void IncompleteSecurityValues_AreRefusedNamingTheValue(string values, string message)
    {
        var e = Assert.Throws<TemplateFailedException>(() => Render(values));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Authorization_SetsTemporalsDefaultAuthorizerAndClaimMapper()
    {
        var manifests = Render("""
            authorization:
              enabled: true
              jwksUrl: https://dex.homelab.local/keys
              audience: tempora
            server: {services: [frontend, history, matching, worker]}
            """);
        AssertValid(manifests);
        var env = Env(manifests);
        Assert.Equal("default", env["TEMPORAL_AUTH_AUTHORIZER"]);
        Assert.Equal("default", env["TEMPORAL_AUTH_CLAIM_MAPPER"]);
        Assert.Equal("https://dex.homelab.local/keys", env["TEMPORAL_JWT_KEY_SOURCE1"]);
        Assert.False(env.ContainsKey("TEMPORAL_JWT_KEY_SOURCE2"));
        Assert.Equal("1m", env["TEMPORAL_JWT_KEY_REFRESH"]);
        Assert.Equal("permissions", env["TEMPORAL_JWT_PERMISSIONS_CLAIM"]);
        Assert.Equal("tempora", env["TEMPORA_AUTH_AUDIENCE"]);
        Assert.False(env.ContainsKey("TEMPORAL_AUTH_ENABLED"));
    }

    [Fact]
    public void UiLogin_OidcVariables_ClientSecretFileAndAGeneratedSessionKey()
    {
        var manifests = Render("""
            ui:
              auth:
                enabled: true
                providerUrl: https://dex.homelab.local
                clientId: tempora-ui
                callbackUrl: https://temporal.homelab.local/auth/sso/callback
                scopes: [openid, profile, email, groups]
                clientSecret: {existingSecret: tempora-oidc, key: client-secret}
            """);
        AssertValid(manifests);
        var env = Env(manifests);
        Assert.Equal("true", env["TEMPORAL_AUTH_ENABLED"]);
        Assert.Equal("https://dex.homelab.local", env["TEMPORAL_AUTH_PROVIDER_URL"]);
        Assert.False(env.ContainsKey("TEMPORAL_AUTH_ISSUER_URL"));
        Assert.Equal("tempora-ui", env["TEMPORAL_AUTH_CLIENT_ID"]);
        Assert.Equal("https://temporal.homelab.local/auth/sso/callback", env["TEMPORAL_AUTH_CALLBACK_URL"]);
        Assert.Equal("openid,profile,email,groups", env["TEMPORAL_AUTH_SCOPES"]);
        Assert.False(env.ContainsKey("TEMPORAL_AUTH_USE_ID_TOKEN_AS_BEARER"));
        Assert.False(env.ContainsKey("TEMPORA_UI_AUTH_MAX_SESSION_DURATION"));
        Assert.Equal(("tempora-oidc", "client-secret"), SecretFile(manifests, env["TEMPORA_UI_AUTH_CLIENT_SECRET_FILE"]));
        // Every replica must read the same session key, so the chart generates one Secret for all of them.
        Assert.Equal(("tempora-ui-session", "secret"), SecretFile(manifests, env["TEMPORA_UI_SESSION_SECRET_FILE"]));
        Assert.Contains(manifests, m => m.Kind == "Secret" && m.Name == "tempora-ui-session");
        Assert.DoesNotContain(env.Values, v => v.Contains("client-secret", StringComparison.Ordinal) && !v.StartsWith('/'));
    }

    /// <summary>
    /// deploy/kubernetes turns security on: the chart rendered with the HelmRelease's values gets its Certificates from
    /// the ClusterIssuer of cluster-issuer/ (a CA issuer, so ca.crt is filled), names the MetalLB address and the Ingress
    /// host in them, and reads the OIDC client secret from the layout's Secret.
    /// </summary>
    [Fact]
    public void GitOpsLayout_SecurityValues_PointAtTheLayoutsIssuerAndSecrets()
    {
        var layout = Manifest.ParseStream(Kustomize.Render(RepoPaths.Kubernetes));
        var release = layout.Single(m => m.Kind == "HelmRelease").Json["spec"]!;
        var values = (Dictionary<string, object?>)HelmChart.ReadYaml(release["values"]!.ToJsonString())!;
        var manifests = Manifest.ParseStream(Chart.Render((string)release["releaseName"]!, Namespace, values));
        AssertValid(manifests);

        var issuers = Manifest.ParseStream(Kustomize.Render(Path.Combine(RepoPaths.Kubernetes, "cluster-issuer")));
        AssertValid(issuers);
        Assert.All(issuers.Where(m => m.Kind == "ClusterIssuer"), m => Assert.Null(m.Namespace));
        // frontend and ui from the homelab CA; the internode one from the release's own CA (a client certificate from
        // homelab-ca must not make its holder a replica).
        var certificates = manifests.Where(m => m.Kind == "Certificate" && (string)m.Json["spec"]!["issuerRef"]!["kind"]! == "ClusterIssuer").ToList();
        Assert.Equal(["tempora-frontend", "tempora-ui"], certificates.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Equal("Issuer", (string)CertificateSpec(manifests, "tempora-internode")["issuerRef"]!["kind"]!);
        foreach (var certificate in certificates)
        {
            var issuerRef = certificate.Json["spec"]!["issuerRef"]!;
            var issuer = issuers.Single(m => m.Kind == (string)issuerRef["kind"]! && m.Name == (string)issuerRef["name"]!);
            var caSecret = (string)issuer.Json["spec"]!["ca"]!["secretName"]!;
            var ca = issuers.Single(m => m.Kind == "Certificate" && (string)m.Json["spec"]!["secretName"]! == caSecret);
            Assert.True((bool)ca.Json["spec"]!["isCA"]!);
        }

        var layoutIp = (string)layout.Single(m => m.Name == "tempora-grpc-lb").Json["metadata"]!["annotations"]!["metallb.universe.tf/loadBalancerIPs"]!;
        var frontend = CertificateSpec(manifests, "tempora-frontend");
        Assert.Contains(layoutIp, Strings(frontend["ipAddresses"]));
        var ingressHost = (string)layout.Single(m => m.Kind == "Ingress" && m.Name == "tempora").Json["spec"]!["rules"]![0]!["host"]!;
        Assert.Contains(ingressHost, Strings(frontend["dnsNames"]));
        Assert.Contains(ingressHost, Strings(CertificateSpec(manifests, "tempora-ui")["dnsNames"]));
        Assert.Equal("true", Env(manifests)["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"]);

        var env = Env(manifests);
        Assert.StartsWith("https://", env["TEMPORAL_JWT_KEY_SOURCE1"], StringComparison.Ordinal);
        Assert.StartsWith(ingressHost, new Uri(env["TEMPORAL_AUTH_CALLBACK_URL"]).Host, StringComparison.Ordinal);
        var (secretName, key) = SecretFile(manifests, env["TEMPORA_UI_AUTH_CLIENT_SECRET_FILE"]);
        var oidc = layout.Single(m => m.Kind == "Secret" && m.Name == secretName);
        Assert.NotNull(oidc.Json["stringData"]![key]);
    }

    /// <summary>
    /// The chart and the server agree on names: every variable the chart sets with every feature on appears as a
    /// string literal in the server's sources (src/), where a table maps it to its config key. A misspelt or renamed
    /// variable would otherwise be ignored silently by the pods.
    /// </summary>
    [Fact]
    public void EveryVariableTheChartSets_IsNamedInTheServerSources()
    {
        var manifests = Render("""
            tls:
              enabled: true
              certManager: {issuerRef: {name: homelab-ca}}
              frontend: {requireClientAuth: true}
              ui: {enabled: true, requireClientAuth: true, clientCaSecret: browser-ca}
              metrics: {enabled: true}
            authorization: {enabled: true, jwksUrl: 'https://idp.example/keys', jwksUrl2: 'https://idp2.example/keys', audience: tempora}
            ui:
              auth:
                enabled: true
                providerUrl: https://idp.example
                issuerUrl: https://idp.example/issuer
                clientId: tempora-ui
                callbackUrl: https://temporal.example/auth/sso/callback
                clientSecret: {existingSecret: tempora-oidc}
                useIdTokenAsBearer: true
                maxSessionDuration: 12h
            server: {services: [frontend, history, matching, worker, web], namespaces: [orders], uiAllowedHosts: [temporal.example]}
            archival:
              history: {enabled: true, uri: 's3://archive/history'}
              s3: {region: us-east-1, credentials: {existingSecret: tempora-archival}}
            """);
        var variables = manifests.Where(m => m.Kind is "Deployment" or "Job")
            .SelectMany(m => m.Json["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Concat(m.Json["spec"]!["template"]!["spec"]!["initContainers"]?.AsArray() ?? []))
            .SelectMany(c => c!["env"]!.AsArray().Select(e => (string)e!["name"]!))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("TEMPORAL_TLS_FRONTEND_CERT", variables);
        Assert.Contains("TEMPORA_UI_SESSION_SECRET_FILE", variables);
        Assert.Contains("TEMPORA_UI_AUTH_MAX_SESSION_DURATION", variables);
        Assert.Contains("TEMPORA_UI_TLS_REQUIRE_CLIENT_AUTH", variables);

        var sources = string.Join('\n', Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText));
        // The S3 access key is read by the AWS SDK's default credential chain, not by our sources.
        string[] readByTheAwsSdk = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
        Assert.Contains("TEMPORA_CONFIG", variables);
        Assert.Contains("AWS_ACCESS_KEY_ID", variables);
        var unknown = variables.Where(v => !readByTheAwsSdk.Contains(v) && !sources.Contains($"\"{v}\"", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(unknown.Count == 0, $"The chart sets variables no source under src/ names: {string.Join(", ", unknown)}");
    }
}

using k8s.Models;
using Tempora.Deploy.Tests.Helm;
using YamlDotNet.RepresentationModel;

namespace Tempora.Deploy.Tests;

/// <summary>
/// The chart's HTTP API (port, Service, Ingress, TLS names) and archival to an S3-compatible store (the config file's
/// archival:* and namespaceDefaults:archival:* keys, the access key from a Secret), and the values it refuses.
/// </summary>
public sealed class HelmChartHttpApiAndArchivalTests
{
    private const string Release = "tempora";
    private const string Namespace = "temporal";

    private static readonly HelmChart Chart = new(RepoPaths.Chart);

    private const string ArchivalValues = """
        archival:
          history: {enabled: true, uri: 's3://tempora-archival/history'}
          visibility: {enabled: true, enableRead: false, uri: 's3://tempora-archival/visibility'}
          s3:
            region: us-east-1
            endpoint: http://minio.minio.svc.cluster.local:9000
            forcePathStyle: true
            credentials: {existingSecret: tempora-archival-credentials, accessKeyIdKey: access-key, secretAccessKeyKey: secret-key}
        """;

    private static List<Manifest> Render(string overridesYaml) =>
        Manifest.ParseStream(Chart.Render(Release, Namespace, (Dictionary<string, object?>)HelmChart.ReadYaml(overridesYaml)!));

    private static V1Deployment Deployment(List<Manifest> manifests) =>
        ManifestValidator.LoadTyped<V1Deployment>(manifests.Single(m => m.Kind == "Deployment" && m.Name == Release));

    private static Dictionary<string, V1EnvVar> Env(List<Manifest> manifests) =>
        Assert.Single(Deployment(manifests).Spec.Template.Spec.Containers).Env.ToDictionary(e => e.Name);

    private static void AssertValid(List<Manifest> manifests)
    {
        // shared/k8s-schemas has no cert-manager CRD yet; HelmChartSecurityTests checks Certificates field by field.
        var problems = manifests.Where(m => m.ApiVersion != "cert-manager.io/v1" || ManifestValidator.HasSchema(m))
            .SelectMany(ManifestValidator.Validate).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>The config file as the server reads it: YAML flattened to ':'-separated keys (ServerConfiguration).</summary>
    private static Dictionary<string, string> ConfigKeys(List<Manifest> manifests)
    {
        var configMap = ManifestValidator.LoadTyped<V1ConfigMap>(manifests.Single(m => m.Kind == "ConfigMap" && m.Name == "tempora-config"));
        var stream = new YamlStream();
        stream.Load(new StringReader(configMap.Data["config.yaml"]));
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Flatten(stream.Documents[0].RootNode, "", keys);
        return keys;
    }

    private static void Flatten(YamlNode node, string prefix, Dictionary<string, string> keys)
    {
        if (node is YamlMappingNode map)
        {
            foreach (var (key, child) in map.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                Flatten(child, prefix.Length == 0 ? name : $"{prefix}:{name}", keys);
            }
        }
        else
        {
            keys[prefix] = ((YamlScalarNode)node).Value!;
        }
    }

    [Fact]
    public void HttpApi_ByDefault_OnPort7243_WithItsService()
    {
        var manifests = Render("{}");
        AssertValid(manifests);
        Assert.Equal("7243", Env(manifests)["TEMPORA_HTTP_PORT"].Value);
        var port = Assert.Single(Deployment(manifests).Spec.Template.Spec.Containers[0].Ports, p => p.Name == "http-api");
        Assert.Equal(7243, port.ContainerPort);

        var service = ManifestValidator.LoadTyped<V1Service>(manifests.Single(m => m.Kind == "Service" && m.Name == "tempora-http"));
        var servicePort = Assert.Single(service.Spec.Ports);
        Assert.Equal(("http", 7243, "http-api"), (servicePort.Name, servicePort.Port, servicePort.TargetPort.Value));
        // Every server pod runs the frontend, whose API this is.
        Assert.Equal("true", service.Spec.Selector["tempora.io/frontend"]);
        Assert.DoesNotContain(manifests, m => m.Kind == "Ingress");
    }

    [Fact]
    public void HttpApi_PortZero_TellsTheServerAndRendersNoPortOrService()
    {
        var manifests = Render("server: {ports: {http: 0}}");
        AssertValid(manifests);
        // The server's own default is on, so the chart must pass the 0 on.
        Assert.Equal("0", Env(manifests)["TEMPORA_HTTP_PORT"].Value);
        Assert.DoesNotContain(Deployment(manifests).Spec.Template.Spec.Containers[0].Ports, p => p.Name == "http-api");
        Assert.DoesNotContain(manifests, m => m.Name == "tempora-http");
    }

    [Fact]
    public void HttpApi_Ingress_RoutesItsHostToTheHttpService_AndTheFrontendCertificateNamesIt()
    {
        var manifests = Render("""
            httpApi:
              ingress:
                enabled: true
                host: temporal-api.example.test
                annotations: {haproxy.org/ssl-passthrough: "true"}
            service: {http: {port: 443}}
            tls:
              enabled: true
              certManager: {issuerRef: {name: homelab-ca}}
            """);
        AssertValid(manifests);
        var ingress = ManifestValidator.LoadTyped<V1Ingress>(manifests.Single(m => m.Kind == "Ingress"));
        Assert.Equal("tempora-http", ingress.Name());
        var rule = Assert.Single(ingress.Spec.Rules);
        Assert.Equal("temporal-api.example.test", rule.Host);
        Assert.Equal(("tempora-http", "http"), (rule.Http.Paths[0].Backend.Service.Name, rule.Http.Paths[0].Backend.Service.Port.Name));
        Assert.Equal("true", ingress.Metadata.Annotations["haproxy.org/ssl-passthrough"]);
        var service = ManifestValidator.LoadTyped<V1Service>(manifests.Single(m => m.Kind == "Service" && m.Name == "tempora-http"));
        Assert.Equal(443, Assert.Single(service.Spec.Ports).Port);

        // Same TLS as the gRPC port: the frontend certificate serves both, so it carries the API's names too.
        var names = manifests.Single(m => m.Kind == "Certificate" && m.Name == "tempora-frontend").Json["spec"]!["dnsNames"]!
            .AsArray().Select(n => (string)n!).ToList();
        Assert.Contains("tempora-http.temporal.svc", names);
        Assert.Contains("temporal-api.example.test", names);
        Assert.Equal("/etc/tempora/tls/frontend/tls.crt", Env(manifests)["TEMPORAL_TLS_FRONTEND_CERT"].Value);
    }

    [Theory]
    [InlineData("httpApi: {ingress: {enabled: true}}\nserver: {ports: {http: 0}}", "httpApi.ingress.enabled needs the HTTP API: server.ports.http is 0")]
    [InlineData("httpApi: {ingress: {enabled: true}}\nservice: {http: {enabled: false}}", "httpApi.ingress.enabled needs service.http.enabled")]
    public void HttpApi_IngressWithoutItsBackend_IsRefused(string values, string message)
    {
        var e = Assert.Throws<TemplateFailedException>(() => Render(values));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Archival_ByDefault_Off_NoConfigFileNoCredentials()
    {
        var manifests = Render("{}");
        Assert.DoesNotContain(manifests, m => m.Kind == "ConfigMap");
        var env = Env(manifests);
        Assert.False(env.ContainsKey("TEMPORA_CONFIG"));
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("AWS_", StringComparison.Ordinal));
        Assert.Null(Deployment(manifests).Spec.Template.Metadata.Annotations);
    }

    [Fact]
    public void Archival_S3_RendersTemporalsConfigKeys_AndTheAccessKeyFromTheSecret()
    {
        var manifests = Render(ArchivalValues);
        AssertValid(manifests);
        Assert.Equal(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["archival:history:state"] = "enabled",
            ["archival:history:enableRead"] = "true",
            ["archival:history:provider:s3store:region"] = "us-east-1",
            ["archival:history:provider:s3store:endpoint"] = "http://minio.minio.svc.cluster.local:9000",
            ["archival:history:provider:s3store:s3ForcePathStyle"] = "true",
            ["archival:visibility:state"] = "enabled",
            ["archival:visibility:enableRead"] = "false",
            ["archival:visibility:provider:s3store:region"] = "us-east-1",
            ["archival:visibility:provider:s3store:endpoint"] = "http://minio.minio.svc.cluster.local:9000",
            ["archival:visibility:provider:s3store:s3ForcePathStyle"] = "true",
            ["namespaceDefaults:archival:history:state"] = "enabled",
            ["namespaceDefaults:archival:history:URI"] = "s3://tempora-archival/history",
            ["namespaceDefaults:archival:visibility:state"] = "enabled",
            ["namespaceDefaults:archival:visibility:URI"] = "s3://tempora-archival/visibility",
        }, ConfigKeys(manifests));

        var deployment = Deployment(manifests);
        var container = deployment.Spec.Template.Spec.Containers[0];
        var env = Env(manifests);
        Assert.Equal("/etc/tempora/config/config.yaml", env["TEMPORA_CONFIG"].Value);
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == "/etc/tempora/config");
        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal("tempora-config", deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == mount.Name).ConfigMap.Name);
        Assert.Equal(("tempora-archival-credentials", "access-key"),
            (env["AWS_ACCESS_KEY_ID"].ValueFrom.SecretKeyRef.Name, env["AWS_ACCESS_KEY_ID"].ValueFrom.SecretKeyRef.Key));
        Assert.Equal(("tempora-archival-credentials", "secret-key"),
            (env["AWS_SECRET_ACCESS_KEY"].ValueFrom.SecretKeyRef.Name, env["AWS_SECRET_ACCESS_KEY"].ValueFrom.SecretKeyRef.Key));
        // The schema Job migrates only; it gets neither the file nor the access key.
        var job = ManifestValidator.LoadTyped<V1Job>(manifests.Single(m => m.Kind == "Job"));
        Assert.DoesNotContain(job.Spec.Template.Spec.Containers[0].Env, e => e.Name is "TEMPORA_CONFIG" or "AWS_ACCESS_KEY_ID");
    }

    [Fact]
    public void Archival_HistoryOnly_WithoutNamespaceDefault_LeavesVisibilityAndDefaultsDisabled()
    {
        var manifests = Render("""
            archival:
              history: {enabled: true}
              s3: {region: eu-west-1, credentials: {existingSecret: aws-archival}}
            """);
        var keys = ConfigKeys(manifests);
        Assert.Equal("enabled", keys["archival:history:state"]);
        Assert.Equal("false", keys["archival:history:provider:s3store:s3ForcePathStyle"]);
        Assert.False(keys.ContainsKey("archival:history:provider:s3store:endpoint"));
        Assert.Equal("disabled", keys["archival:visibility:state"]);
        Assert.False(keys.ContainsKey("archival:visibility:provider:s3store:region"));
        Assert.Equal("disabled", keys["namespaceDefaults:archival:history:state"]);
        Assert.False(keys.ContainsKey("namespaceDefaults:archival:history:URI"));
        Assert.Equal("disabled", keys["namespaceDefaults:archival:visibility:state"]);
        Assert.Equal(("aws-archival", "AWS_ACCESS_KEY_ID"),
            (Env(manifests)["AWS_ACCESS_KEY_ID"].ValueFrom.SecretKeyRef.Name, Env(manifests)["AWS_ACCESS_KEY_ID"].ValueFrom.SecretKeyRef.Key));
    }

    [Fact]
    public void Archival_AChangedConfigFile_RollsThePods()
    {
        string Checksum(string values) =>
            Deployment(Render(values)).Spec.Template.Metadata.Annotations["checksum/config"];
        var before = Checksum(ArchivalValues);
        Assert.Equal(64, before.Length);
        Assert.Equal(before, Checksum(ArchivalValues));
        Assert.NotEqual(before, Checksum(ArchivalValues.Replace("us-east-1", "eu-central-1", StringComparison.Ordinal)));
    }

    [Fact]
    public void Notes_NameTheHttpApiAndArchival()
    {
        var defaults = Chart.RenderNotes(Release, Namespace);
        Assert.Contains("HTTP API (curl):           tempora-http.temporal:7243", defaults, StringComparison.Ordinal);
        Assert.DoesNotContain("Archival is on", defaults, StringComparison.Ordinal);

        var configured = Chart.RenderNotes(Release, Namespace, (Dictionary<string, object?>)HelmChart.ReadYaml(
            ArchivalValues + "\nhttpApi: {ingress: {enabled: true, host: api.example.test}}")!);
        Assert.Contains("tempora-http.temporal:7243, api.example.test", configured, StringComparison.Ordinal);
        Assert.Contains("Archival is on (history, visibility)", configured, StringComparison.Ordinal);

        var off = Chart.RenderNotes(Release, Namespace, (Dictionary<string, object?>)HelmChart.ReadYaml("server: {ports: {http: 0}}")!);
        Assert.DoesNotContain("HTTP API", off, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("archival: {history: {enabled: true}, s3: {credentials: {existingSecret: s}}}", "archival.s3.region is required")]
    [InlineData("archival: {visibility: {enabled: true}, s3: {region: us-east-1}}", "archival.s3.credentials.existingSecret is required")]
    [InlineData("archival: {history: {enabled: true}, s3: {region: us-east-1, credentials: {existingSecret: s, accessKeyIdKey: ''}}}", "archival.s3.credentials.accessKeyIdKey is required")]
    [InlineData("archival: {history: {enabled: true, uri: 'file:///var/archive'}, s3: {region: us-east-1, credentials: {existingSecret: s}}}", "archival.history.uri file:///var/archive: the chart configures the s3store provider only")]
    [InlineData("archival: {visibility: {uri: 's3://bucket'}}", "archival.visibility.uri is set but archival.visibility.enabled is false")]
    public void Archival_IncompleteValues_AreRefusedNamingThem(string values, string message)
    {
        var e = Assert.Throws<TemplateFailedException>(() => Render(values));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}

using System.Text.Json.Nodes;
using k8s.Models;
using Tempora.Deploy.Tests.Helm;

namespace Tempora.Deploy.Tests;

/// <summary>
/// The chart deploy/helm/tempora, rendered offline by <see cref="HelmChart"/> (there is no helm binary here): the
/// default rendering matches the checked-in tests/expected-default.yaml document for document, every document
/// validates, and the values that matter (replicas, probes, secrets, split roles) come out as documented.
/// </summary>
public sealed class HelmChartTests
{
    private const string Release = "tempora";
    private const string Namespace = "temporal";

    private static readonly HelmChart Chart = new(RepoPaths.Chart);

    private static string ExpectedDefaultPath => Path.Combine(RepoPaths.Chart, "tests", "expected-default.yaml");

    private static List<Manifest> Render(string overridesYaml = "", string release = Release) =>
        Manifest.ParseStream(Chart.Render(release, Namespace,
            string.IsNullOrWhiteSpace(overridesYaml) ? null : (Dictionary<string, object?>)HelmChart.ReadYaml(overridesYaml)!));

    private static V1Deployment Deployment(List<Manifest> manifests, string name = Release) =>
        ManifestValidator.LoadTyped<V1Deployment>(manifests.Single(m => m.Kind == "Deployment" && m.Name == name));

    /// <summary>What stands for the chart's generated random secrets in tests/expected-default.yaml.</summary>
    private const string GeneratedPlaceholder = "R0VORVJBVEVELUJZLVRIRS1DSEFSVA==";

    [Fact]
    public void DefaultValues_RenderTheCheckedInExpectedOutput()
    {
        var rendered = WithoutGeneratedSecrets(Chart.Render(Release, Namespace));
        if (Environment.GetEnvironmentVariable("TEMPORA_UPDATE_EXPECTED") == "1")
        {
            File.WriteAllText(ExpectedDefaultPath, rendered);
        }
        var expected = Manifest.ParseStream(File.ReadAllText(ExpectedDefaultPath));
        var actual = Manifest.ParseStream(rendered);
        Assert.Equal(expected.Select(m => m.ToString()), actual.Select(m => m.ToString()));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(expected[i].Json, actual[i].Json),
                $"{actual[i]} differs from {ExpectedDefaultPath}:{Environment.NewLine}{actual[i].Text}");
        }
    }

    /// <summary>The rendering with each generated secret value (random at every offline render) replaced by a fixed one.</summary>
    private static string WithoutGeneratedSecrets(string rendered)
    {
        foreach (var secret in Manifest.ParseStream(rendered).Where(m => m.Kind == "Secret"))
        {
            var value = (string)secret.Json["data"]!["secret"]!;
            Assert.Equal(48, Convert.FromBase64String(value).Length);
            rendered = rendered.Replace(value, GeneratedPlaceholder, StringComparison.Ordinal);
        }
        return rendered;
    }

    [Fact]
    public void DefaultValues_AllInOneDeployment_ServicesAndSchemaJob()
    {
        var manifests = Render();
        Assert.Equal(
            ["Deployment/tempora", "Job/tempora-schema", "Secret/tempora-cluster", "Service/tempora-grpc", "Service/tempora-http", "Service/tempora-metrics", "Service/tempora-ui"],
            manifests.Select(m => $"{m.Kind}/{m.Name}").Order(StringComparer.Ordinal));
        var problems = manifests.SelectMany(ManifestValidator.Validate).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

        var deployment = Deployment(manifests);
        Assert.Equal(1, deployment.Spec.Replicas);
        // Replicas are all active, so a rollout starts the new pod before stopping the old one.
        Assert.Equal("1", deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value);
        Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal("status.podIP", container.Env.Single(e => e.Name == "TEMPORAL_BROADCAST_ADDRESS").ValueFrom.FieldRef.FieldPath);
        Assert.Equal(["start"], container.Args);
        Assert.Equal(
            [("grpc", 7233), ("http-ui", 8080), ("http-metrics", 9090), ("http-api", 7243)],
            container.Ports.Select(p => (p.Name, p.ContainerPort)));
        Assert.Equal("/health/live", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/health/ready", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/health/live", container.StartupProbe.HttpGet.Path);
        Assert.All(new[] { container.LivenessProbe, container.ReadinessProbe, container.StartupProbe },
            p => Assert.Equal("http-metrics", p.HttpGet.Port.Value));
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.True(deployment.Spec.Template.Spec.SecurityContext.RunAsNonRoot);

        var env = container.Env.ToDictionary(e => e.Name);
        Assert.Equal("postgres12", env["DB"].Value);
        Assert.Equal("tempora-postgres-rw", env["POSTGRES_SEEDS"].Value);
        Assert.Equal("5432", env["DB_PORT"].Value);
        Assert.Equal("temporal", env["DBNAME"].Value);
        Assert.Equal("temporal_visibility", env["VISIBILITY_DBNAME"].Value);
        Assert.Equal(("tempora-postgres-app", "username"), (env["POSTGRES_USER"].ValueFrom.SecretKeyRef.Name, env["POSTGRES_USER"].ValueFrom.SecretKeyRef.Key));
        Assert.Equal(("tempora-postgres-app", "password"), (env["POSTGRES_PWD"].ValueFrom.SecretKeyRef.Name, env["POSTGRES_PWD"].ValueFrom.SecretKeyRef.Key));
        Assert.False(env.ContainsKey("SERVICES"));

        Assert.Equal("192Mi", container.Resources.Requests["memory"].ToString());
        Assert.Equal("512Mi", container.Resources.Limits["memory"].ToString());

        var job = ManifestValidator.LoadTyped<V1Job>(manifests.Single(m => m.Kind == "Job"));
        Assert.Equal("pre-install,pre-upgrade", job.Metadata.Annotations["helm.sh/hook"]);
        Assert.Equal(["schema", "setup"], Assert.Single(job.Spec.Template.Spec.InitContainers).Args);
        Assert.Equal(["schema", "update"], Assert.Single(job.Spec.Template.Spec.Containers).Args);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        // The Job shares the server's database settings; only the server advertises an address to its peers and
        // proves itself to them with the cluster secret.
        Assert.Equal(
            container.Env.Select(e => e.Name).Where(n => n is not ("TEMPORAL_BROADCAST_ADDRESS" or "TEMPORA_CLUSTER_SECRET_FILE")).Order(StringComparer.Ordinal),
            job.Spec.Template.Spec.Containers[0].Env.Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ReplicaCountZero_RendersADeploymentWithZeroReplicas()
    {
        var deployment = Deployment(Render("replicaCount: 0"));
        Assert.Equal(0, deployment.Spec.Replicas);
    }

    [Fact]
    public void RoleDeployments_OneDeploymentPerEntry_WithItsServices()
    {
        var manifests = Render("""
            roleDeployments:
              - name: api
                services: [frontend, history, matching, worker, web]
                replicaCount: 0
              - name: standby
                services: [frontend, history, matching]
            """);
        var problems = manifests.SelectMany(ManifestValidator.Validate).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.DoesNotContain(manifests, m => m.Kind == "Deployment" && m.Name == Release);
        var api = Deployment(manifests, "tempora-api");
        var standby = Deployment(manifests, "tempora-standby");
        Assert.Equal(0, api.Spec.Replicas);
        Assert.Equal(1, standby.Spec.Replicas);
        Assert.Equal("frontend,history,matching,worker,web", api.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "SERVICES").Value);
        Assert.Equal("frontend,history,matching", standby.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "SERVICES").Value);
        // Only pods that run the web role get the UI port and the label the UI Service selects.
        Assert.Equal("true", api.Spec.Template.Metadata.Labels["tempora.io/web"]);
        Assert.False(standby.Spec.Template.Metadata.Labels.ContainsKey("tempora.io/web"));
        Assert.DoesNotContain(standby.Spec.Template.Spec.Containers[0].Ports, p => p.Name == "http-ui");
    }

    [Fact]
    public void RoleDeployments_WithoutFrontendHistoryMatching_AreRefused()
    {
        var e = Assert.Throws<TemplateFailedException>(() => Render("""
            roleDeployments:
              - name: history
                services: [history]
            """));
        Assert.Contains("must include frontend, history and matching", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IngressServiceMonitorAndLoadBalancers_WhenEnabled_AreValid()
    {
        var manifests = Render("""
            ingress:
              enabled: true
              tls: [{secretName: temporal-tls, hosts: [temporal.homelab.local]}]
            serviceMonitor:
              enabled: true
              labels: {release: kube-prometheus-stack}
            service:
              grpc:
                type: LoadBalancer
                annotations: {metallb.universe.tf/loadBalancerIPs: 192.168.1.240}
            database:
              existingSecret: tempora-postgres-credentials
            server:
              namespaces: [orders, billing]
              uiAllowedHosts: ["*.apps.example.test", temporal.example.test]
              extraEnv: [{name: TEMPORA_DB_OPTIONS, value: Timeout=30}]
            """);
        var problems = manifests.SelectMany(ManifestValidator.Validate).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        var ingress = ManifestValidator.LoadTyped<V1Ingress>(manifests.Single(m => m.Kind == "Ingress"));
        Assert.Equal("haproxy", ingress.Spec.IngressClassName);
        Assert.Equal("tempora-ui", ingress.Spec.Rules[0].Http.Paths[0].Backend.Service.Name);
        var grpc = ManifestValidator.LoadTyped<V1Service>(manifests.Single(m => m.Name == "tempora-grpc"));
        Assert.Equal("LoadBalancer", grpc.Spec.Type);
        Assert.Equal("192.168.1.240", grpc.Metadata.Annotations["metallb.universe.tf/loadBalancerIPs"]);
        var monitor = manifests.Single(m => m.Kind == "ServiceMonitor");
        Assert.Equal("kube-prometheus-stack", (string)monitor.Json["metadata"]!["labels"]!["release"]!);
        var env = Deployment(manifests).Spec.Template.Spec.Containers[0].Env.ToDictionary(e => e.Name);
        Assert.Equal("orders,billing", env["TEMPORA_NAMESPACES"].Value);
        // The UI answers to the Ingress's host besides the listed names.
        Assert.Equal("*.apps.example.test,temporal.example.test,temporal.homelab.local", env["TEMPORA_UI_ALLOWED_HOSTS"].Value);
        Assert.Equal("Timeout=30", env["TEMPORA_DB_OPTIONS"].Value);
        Assert.Equal("tempora-postgres-credentials", env["POSTGRES_PWD"].ValueFrom.SecretKeyRef.Name);
    }

    /// <summary>
    /// deploy/kubernetes keeps its LoadBalancers, Ingress and ServiceMonitor beside the HelmRelease; render the chart
    /// with the HelmRelease's own values and check that they point at what the chart creates.
    /// </summary>
    [Fact]
    public void GitOpsLayout_PointsAtWhatTheChartRenders()
    {
        var layout = Manifest.ParseStream(Kustomize.Render(RepoPaths.Kubernetes));
        var release = layout.Single(m => m.Kind == "HelmRelease").Json["spec"]!;
        var values = HelmChart.ReadYaml(release["values"]!.ToJsonString())!;
        var chart = Manifest.ParseStream(Chart.Render((string)release["releaseName"]!, Namespace, (Dictionary<string, object?>)values));

        var deployment = Deployment(chart);
        var podLabels = deployment.Spec.Template.Metadata.Labels;
        var portNames = deployment.Spec.Template.Spec.Containers[0].Ports.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var manifest in layout.Where(m => m.Kind == "Service"))
        {
            var service = ManifestValidator.LoadTyped<V1Service>(manifest);
            Assert.All(service.Spec.Selector, s => Assert.Equal(s.Value, podLabels.TryGetValue(s.Key, out var v) ? v : null));
            Assert.All(service.Spec.Ports, p => Assert.Contains(p.TargetPort.Value, portNames));
        }

        var ingress = ManifestValidator.LoadTyped<V1Ingress>(layout.Single(m => m.Kind == "Ingress" && m.Name == "tempora"));
        var backend = ingress.Spec.Rules[0].Http.Paths[0].Backend.Service;
        var ui = ManifestValidator.LoadTyped<V1Service>(chart.Single(m => m.Kind == "Service" && m.Name == backend.Name));
        Assert.Contains(ui.Spec.Ports, p => p.Name == backend.Port.Name);
        // The UI refuses Host names it does not know: the Ingress's hosts must be among its allowed ones.
        var allowedHosts = deployment.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "TEMPORA_UI_ALLOWED_HOSTS").Value.Split(',');
        Assert.All(ingress.Spec.Rules, rule => Assert.Contains(rule.Host, allowedHosts));

        var monitor = layout.Single(m => m.Kind == "ServiceMonitor").Json["spec"]!;
        var metrics = chart.Where(m => m.Kind == "Service").Select(ManifestValidator.LoadTyped<V1Service>)
            .Where(s => monitor["selector"]!["matchLabels"]!.AsObject().All(l => s.Metadata.Labels.TryGetValue(l.Key, out var v) && v == (string)l.Value!))
            .ToList();
        var metricsService = Assert.Single(metrics);
        Assert.Contains(metricsService.Spec.Ports, p => p.Name == (string)monitor["endpoints"]![0]!["port"]!);

        // The HTTP API's Ingress passes TLS through to the chart's http Service, so the frontend certificate names its host.
        var httpIngress = ManifestValidator.LoadTyped<V1Ingress>(layout.Single(m => m.Kind == "Ingress" && m.Name == "tempora-http"));
        var httpBackend = httpIngress.Spec.Rules[0].Http.Paths[0].Backend.Service;
        var http = ManifestValidator.LoadTyped<V1Service>(chart.Single(m => m.Kind == "Service" && m.Name == httpBackend.Name));
        Assert.Contains(http.Spec.Ports, p => p.Name == httpBackend.Port.Name);
        var frontendNames = chart.Single(m => m.Kind == "Certificate" && m.Name == "tempora-frontend").Json["spec"]!["dnsNames"]!.AsArray();
        Assert.Contains(httpIngress.Spec.Rules[0].Host, frontendNames.Select(n => (string)n!));

        // Archival goes to the MinIO of the database backups, in a bucket of its own, with a Secret of the layout.
        var objectStore = layout.Single(m => m.Kind == "ObjectStore").Json["spec"]!["configuration"]!;
        var archivalConfig = chart.Single(m => m.Kind == "ConfigMap").Json["data"]!["config.yaml"]!.GetValue<string>();
        Assert.Contains($"endpoint: \"{(string)objectStore["endpointURL"]!}\"", archivalConfig, StringComparison.Ordinal);
        Assert.Contains("URI: \"s3://tempora-archival/history\"", archivalConfig, StringComparison.Ordinal);
        Assert.DoesNotContain("tempora-archival", (string)objectStore["destinationPath"]!, StringComparison.Ordinal);
        var env = deployment.Spec.Template.Spec.Containers[0].Env;
        foreach (var variable in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY" })
        {
            var reference = env.Single(e => e.Name == variable).ValueFrom.SecretKeyRef;
            var secret = layout.Single(m => m.Kind == "Secret" && m.Name == reference.Name);
            Assert.NotNull(secret.Json["stringData"]![reference.Key]);
        }

        var secretName = deployment.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "POSTGRES_PWD").ValueFrom.SecretKeyRef.Name;
        Assert.Contains(layout, m => m.Kind == "Secret" && m.Name == secretName);
        var cluster = layout.Single(m => m.Kind == "Cluster");
        Assert.Equal($"{cluster.Name}-rw", deployment.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "POSTGRES_SEEDS").Value);
    }
}

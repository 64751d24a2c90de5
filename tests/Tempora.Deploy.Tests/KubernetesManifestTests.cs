using System.Text.Json.Nodes;
using k8s.Models;

namespace Tempora.Deploy.Tests;

/// <summary>deploy/kubernetes as Flux applies it: rendered by kustomize, every document valid, the key settings right.</summary>
public sealed class KubernetesManifestTests
{
    private static readonly Lazy<List<Manifest>> Rendered = new(() => Manifest.ParseStream(Kustomize.Render(RepoPaths.Kubernetes)));

    private static List<Manifest> All => Rendered.Value;

    private static Manifest One(string kind, string name) =>
        All.SingleOrDefault(m => m.Kind == kind && m.Name == name) ?? throw new InvalidOperationException($"kustomize rendered no {kind} {name}");

    [Fact]
    public void Kustomize_Renders_EveryKindOfTheLayout()
    {
        var kinds = All.Select(m => $"{m.Kind}/{m.Name}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "Cluster/tempora-postgres",
                "Database/tempora-postgres-temporal",
                "Database/tempora-postgres-temporal-visibility",
                "HelmRelease/tempora",
                "Ingress/tempora",
                "Ingress/tempora-http",
                "Namespace/temporal",
                "OCIRepository/tempora",
                "ObjectStore/tempora-minio",
                "ScheduledBackup/tempora-postgres-nightly",
                "Secret/tempora-archival-credentials",
                "Secret/tempora-minio-credentials",
                "Secret/tempora-oidc",
                "Secret/tempora-postgres-credentials",
                "Service/tempora-grpc-lb",
                "Service/tempora-http-lb",
                "Service/tempora-ui-lb",
                "ServiceMonitor/tempora",
            ],
            kinds);
        Assert.All(All.Where(m => m.Kind != "Namespace"), m => Assert.Equal("temporal", m.Namespace));
    }

    [Fact]
    public void Kustomize_EveryDocument_PassesTypedModelOrCrdSchema()
    {
        var problems = All.SelectMany(ManifestValidator.Validate).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Validator_MisspeltFields_AreRejected()
    {
        // The checks above must be able to fail: a typo in a CRD field and in a built-in kind's field.
        var cluster = (JsonObject)One("Cluster", "tempora-postgres").Json.DeepClone();
        cluster["spec"]!["instance"] = 1;
        Assert.Contains(ManifestValidator.Validate(new Manifest(cluster)), p => p.Contains("instance", StringComparison.Ordinal));

        var service = (JsonObject)One("Service", "tempora-grpc-lb").Json.DeepClone();
        service["spec"]!["selectors"] = new JsonObject();
        Assert.NotEmpty(ManifestValidator.Validate(new Manifest(service)));

        var backup = (JsonObject)One("ScheduledBackup", "tempora-postgres-nightly").Json.DeepClone();
        backup["spec"]!["method"] = "rsync";
        Assert.NotEmpty(ManifestValidator.Validate(new Manifest(backup)));
    }

    [Fact]
    public void PostgresCluster_OneInstance512Mi10Gi_OwnerFromTheCredentialsSecret()
    {
        var spec = One("Cluster", "tempora-postgres").Json["spec"]!;
        Assert.Equal(1, (int)spec["instances"]!);
        Assert.Equal("512Mi", (string)spec["resources"]!["requests"]!["memory"]!);
        Assert.Equal("512Mi", (string)spec["resources"]!["limits"]!["memory"]!);
        Assert.Equal("10Gi", (string)spec["storage"]!["size"]!);
        var initdb = spec["bootstrap"]!["initdb"]!;
        Assert.Equal("temporal", (string)initdb["database"]!);
        Assert.Equal("temporal", (string)initdb["owner"]!);
        var secretName = (string)initdb["secret"]!["name"]!;
        var secret = ManifestValidator.LoadTyped<V1Secret>(One("Secret", secretName));
        Assert.Equal("kubernetes.io/basic-auth", secret.Type);
        Assert.Equal("temporal", secret.StringData["username"]);
        Assert.StartsWith("REPLACE-", secret.StringData["password"], StringComparison.Ordinal);

        var databases = All.Where(m => m.Kind == "Database").Select(m => m.Json["spec"]!).ToList();
        Assert.Equal(["temporal", "temporal_visibility"], databases.Select(d => (string)d["name"]!).Order(StringComparer.Ordinal));
        Assert.All(databases, d =>
        {
            Assert.Equal("temporal", (string)d["owner"]!);
            Assert.Equal("tempora-postgres", (string)d["cluster"]!["name"]!);
        });
    }

    [Fact]
    public void Backups_GoToMinioThroughThePlugin_Kept14Days_Nightly()
    {
        var plugin = Assert.Single(One("Cluster", "tempora-postgres").Json["spec"]!["plugins"]!.AsArray())!;
        Assert.Equal("barman-cloud.cloudnative-pg.io", (string)plugin["name"]!);
        Assert.True((bool)plugin["isWALArchiver"]!);
        var storeName = (string)plugin["parameters"]!["barmanObjectName"]!;

        var store = One("ObjectStore", storeName).Json["spec"]!;
        Assert.Equal("14d", (string)store["retentionPolicy"]!);
        var configuration = store["configuration"]!;
        Assert.StartsWith("s3://", (string)configuration["destinationPath"]!, StringComparison.Ordinal);
        Assert.Contains("minio", (string)configuration["endpointURL"]!, StringComparison.Ordinal);
        var credentials = configuration["s3Credentials"]!;
        var minioSecret = ManifestValidator.LoadTyped<V1Secret>(One("Secret", (string)credentials["accessKeyId"]!["name"]!));
        Assert.Contains((string)credentials["accessKeyId"]!["key"]!, minioSecret.StringData.Keys);
        Assert.Contains((string)credentials["secretAccessKey"]!["key"]!, minioSecret.StringData.Keys);

        var scheduled = One("ScheduledBackup", "tempora-postgres-nightly").Json["spec"]!;
        Assert.Equal("tempora-postgres", (string)scheduled["cluster"]!["name"]!);
        Assert.Equal("plugin", (string)scheduled["method"]!);
        Assert.Equal("barman-cloud.cloudnative-pg.io", (string)scheduled["pluginConfiguration"]!["name"]!);
        Assert.Equal(6, ((string)scheduled["schedule"]!).Split(' ').Length);
    }

    [Fact]
    public void HelmRelease_UsesTheOciChart_AndTheCredentialsSecret()
    {
        var release = One("HelmRelease", "tempora").Json["spec"]!;
        Assert.Equal("OCIRepository", (string)release["chartRef"]!["kind"]!);
        var source = One("OCIRepository", (string)release["chartRef"]!["name"]!).Json["spec"]!;
        Assert.StartsWith("oci://", (string)source["url"]!, StringComparison.Ordinal);
        var values = release["values"]!;
        Assert.Equal("tempora-postgres-credentials", (string)values["database"]!["existingSecret"]!);
        Assert.Equal("tempora-postgres-rw", (string)values["database"]!["host"]!);
        Assert.Equal(1, (int)values["replicaCount"]!);
    }

    [Fact]
    public void Services_AreMetalLbLoadBalancers_OnTheTemporalPorts()
    {
        var grpc = ManifestValidator.LoadTyped<V1Service>(One("Service", "tempora-grpc-lb"));
        var ui = ManifestValidator.LoadTyped<V1Service>(One("Service", "tempora-ui-lb"));
        foreach (var service in new[] { grpc, ui })
        {
            Assert.Equal("LoadBalancer", service.Spec.Type);
            Assert.Contains("metallb.universe.tf/loadBalancerIPs", service.Metadata.Annotations.Keys);
        }
        Assert.Equal(7233, Assert.Single(grpc.Spec.Ports).Port);
        Assert.Equal(8080, Assert.Single(ui.Spec.Ports).Port);

        var ingress = ManifestValidator.LoadTyped<V1Ingress>(One("Ingress", "tempora"));
        Assert.Equal("haproxy", ingress.Spec.IngressClassName);
        Assert.Equal("temporal.homelab.local", Assert.Single(ingress.Spec.Rules).Host);

        var monitor = One("ServiceMonitor", "tempora").Json["spec"]!;
        var endpoint = Assert.Single(monitor["endpoints"]!.AsArray())!;
        Assert.Equal("/metrics", (string)endpoint["path"]!);
    }

    [Fact]
    public void Procedures_BackupAndRestoreManifests_AreValid_AndUseTheArchive()
    {
        var folder = Path.Combine(RepoPaths.Kubernetes, "procedures");
        var backup = Assert.Single(Manifest.ParseStream(File.ReadAllText(Path.Combine(folder, "manual-backup.yaml"))));
        var restore = Assert.Single(Manifest.ParseStream(File.ReadAllText(Path.Combine(folder, "pitr-cluster.yaml"))));
        var problems = ManifestValidator.Validate(backup).Concat(ManifestValidator.Validate(restore)).ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

        Assert.Equal("Backup", backup.Kind);
        Assert.Equal("tempora-postgres", (string)backup.Json["spec"]!["cluster"]!["name"]!);
        Assert.Equal("plugin", (string)backup.Json["spec"]!["method"]!);

        var spec = restore.Json["spec"]!;
        var recovery = spec["bootstrap"]!["recovery"]!;
        Assert.False(string.IsNullOrEmpty((string?)recovery["recoveryTarget"]!["targetTime"]));
        var source = Assert.Single(spec["externalClusters"]!.AsArray())!;
        Assert.Equal((string)recovery["source"]!, (string)source["name"]!);
        // The archive read is the one the live cluster writes (postgres-cluster.yaml).
        Assert.Equal("tempora-postgres", (string)source["plugin"]!["parameters"]!["serverName"]!);
        var store = (string)source["plugin"]!["parameters"]!["barmanObjectName"]!;
        Assert.Contains(All, m => m.Kind == "ObjectStore" && m.Name == store);
        Assert.NotEqual("tempora-postgres", restore.Name);
    }
}

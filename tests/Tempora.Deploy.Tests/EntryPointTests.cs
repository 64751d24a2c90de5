using System.Globalization;
using Npgsql;
using Temporalio.Activities;
using Temporalio.Client;
using Temporalio.Worker;
using Temporalio.Workflows;
using Tempora.Deploy.Tests.Helm;
using Xunit.Abstractions;

namespace Tempora.Deploy.Tests;

/// <summary>Greets through one activity: a full round trip of workflow and activity tasks.</summary>
[Workflow]
public sealed class DeployGreetingWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string name) =>
        Workflow.ExecuteActivityAsync((DeployGreetingActivities a) => a.Greet(name), new ActivityOptions { StartToCloseTimeout = TimeSpan.FromSeconds(30) });
}

public sealed class DeployGreetingActivities
{
    [Activity]
    public string Greet(string name) => $"Hello, {name}!";
}

/// <summary>
/// The container's entry point, proven without a container runtime: the published server, configured only by the
/// environment variables the chart sets (and the config file it renders for archival), on fresh PostgreSQL databases
/// that the schema Job's two commands create, serves an SDK client and worker, takes the chart's archival defaults,
/// answers `tempora health`, and stops cleanly on SIGTERM.
/// </summary>
public sealed class EntryPointTests(ITestOutputHelper output)
{
    /// <summary>Set to a number of workflows to also measure resident memory under that load (by hand; docs/kubernetes.md).</summary>
    private const string MeasureVariable = "TEMPORA_MEASURE_WORKFLOWS";

    [Fact]
    public async Task PublishedServer_EnvironmentOnly_SchemaJobThenSdkRoundTrip()
    {
        var server = TestPostgresServer();
        var database = $"deploy_{Guid.NewGuid():N}"[..19];
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // What the chart's pod and schema Job set (templates/_helpers.tpl, tempora.env), pointed at the test server.
            ["DB"] = "postgres12",
            ["POSTGRES_SEEDS"] = server.Host!,
            ["DB_PORT"] = server.Port.ToString(CultureInfo.InvariantCulture),
            ["POSTGRES_USER"] = server.Username!,
            ["POSTGRES_PWD"] = server.Password ?? "",
            ["DBNAME"] = database,
            ["VISIBILITY_DBNAME"] = database + "_vis",
            ["SQL_MAX_CONNS"] = "20",
            ["NUM_HISTORY_SHARDS"] = "4",
            ["TEMPORA_LOG_FORMAT"] = "json",
            // Loopback and free ports instead of 0.0.0.0:7233/8080/9090, so that parallel runs do not collide.
            ["BIND_ON_IP"] = "127.0.0.1",
            ["TEMPORA_PORT"] = "0",
            ["TEMPORA_UI_PORT"] = "0",
            ["TEMPORA_METRICS_PORT"] = "0",
            ["TEMPORA_HTTP_PORT"] = "0",
        };
        // The chart's archival values, as the pod gets them: the ConfigMap's file named by TEMPORA_CONFIG, an access key.
        var configDirectory = Directory.CreateTempSubdirectory("tempora-deploy-config");
        var configFile = Path.Combine(configDirectory.FullName, "config.yaml");
        File.WriteAllText(configFile, ChartArchivalConfig());
        settings["TEMPORA_CONFIG"] = configFile;
        settings["AWS_ACCESS_KEY_ID"] = "deploy-test";
        settings["AWS_SECRET_ACCESS_KEY"] = "deploy-test-secret";
        var environment = PublishedServer.ContainerEnvironment(settings);
        var published = await PublishedServer.PublishAsync();
        try
        {
            // The schema Job: `schema setup` (init container), then `schema update`; both safe on a current database.
            foreach (var command in new[] { "setup", "update" })
            {
                var (exitCode, text) = await PublishedServer.RunToolAsync(published, ["schema", command], environment);
                output.WriteLine($"tempora schema {command}: {text}");
                Assert.True(exitCode == 0, $"tempora schema {command} exited with {exitCode}: {text}");
            }
            var (versionExit, versionText) = await PublishedServer.RunToolAsync(published, ["schema", "version"], environment);
            Assert.True(versionExit == 0, $"tempora schema version exited with {versionExit}: {versionText}");

            await using var tempora = await PublishedServer.StartAsync(published, environment);
            try
            {
                var metricsPort = tempora.MetricsAddress[(tempora.MetricsAddress.LastIndexOf(':') + 1)..];
                await WaitHealthyAsync(published, environment, metricsPort);

                var client = await TemporalClient.ConnectAsync(new(tempora.GrpcAddress));
                var taskQueue = $"deploy-{Guid.NewGuid():N}";
                using var worker = new TemporalWorker(client, new TemporalWorkerOptions(taskQueue)
                    .AddWorkflow<DeployGreetingWorkflow>()
                    .AddAllActivities(new DeployGreetingActivities()));
                await worker.ExecuteAsync(async () =>
                {
                    var result = await client.ExecuteWorkflowAsync(
                        (DeployGreetingWorkflow wf) => wf.RunAsync("Kubernetes"),
                        new($"deploy-{Guid.NewGuid():N}", taskQueue) { RunTimeout = TimeSpan.FromSeconds(60) });
                    Assert.Equal("Hello, Kubernetes!", result);

                    // The server read the chart's archival keys: a namespace registered without archival settings
                    // takes the namespace defaults (nothing is archived here, so no S3 server is needed).
                    await client.Connection.WorkflowService.RegisterNamespaceAsync(new()
                    {
                        Namespace = "archived",
                        WorkflowExecutionRetentionPeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(1)),
                    });
                    var archived = (await client.Connection.WorkflowService.DescribeNamespaceAsync(new() { Namespace = "archived" })).Config;
                    Assert.Equal(
                        (Temporalio.Api.Enums.V1.ArchivalState.Enabled, "s3://tempora-archival/history", Temporalio.Api.Enums.V1.ArchivalState.Enabled, "s3://tempora-archival/visibility"),
                        (archived.HistoryArchivalState, archived.HistoryArchivalUri, archived.VisibilityArchivalState, archived.VisibilityArchivalUri));

                    var idle = tempora.ResidentMiB();
                    output.WriteLine($"resident memory after one workflow: {idle:0} MiB");
                    // The chart's memory limit must hold the server with room to spare (values.yaml, resources).
                    Assert.True(idle < ChartMemoryLimitMiB() / 2, $"tempora uses {idle:0} MiB, more than half the chart's limit of {ChartMemoryLimitMiB()} MiB");

                    if (int.TryParse(Environment.GetEnvironmentVariable(MeasureVariable), CultureInfo.InvariantCulture, out var count) && count > 0)
                    {
                        await MeasureUnderLoadAsync(client, tempora, taskQueue, count);
                    }
                });
                Assert.Equal(0, await tempora.StopAsync());
            }
            finally
            {
                output.WriteLine(tempora.Log);
            }
        }
        finally
        {
            await DropDatabasesAsync(server, database, database + "_vis");
            configDirectory.Delete(recursive: true);
        }
    }

    /// <summary>The config file the chart renders for archival to MinIO (the ConfigMap's config.yaml).</summary>
    private static string ChartArchivalConfig()
    {
        var values = (Dictionary<string, object?>)HelmChart.ReadYaml("""
            archival:
              history: {enabled: true, uri: 's3://tempora-archival/history'}
              visibility: {enabled: true, uri: 's3://tempora-archival/visibility'}
              s3: {region: us-east-1, endpoint: 'http://minio.minio.svc.cluster.local:9000', forcePathStyle: true, credentials: {existingSecret: minio}}
            """)!;
        var configMap = Manifest.ParseStream(new HelmChart(RepoPaths.Chart).Render("tempora", "temporal", values)).Single(m => m.Kind == "ConfigMap");
        return (string)configMap.Json["data"]!["config.yaml"]!;
    }

    private async Task MeasureUnderLoadAsync(TemporalClient client, PublishedServer tempora, string taskQueue, int count)
    {
        var idle = tempora.ResidentMiB();
        var peak = idle;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, tempora.ResidentMiB());
                await Task.Delay(100, CancellationToken.None);
            }
        });
        var started = DateTime.UtcNow;
        var runs = Enumerable.Range(0, count).Select(i => client.ExecuteWorkflowAsync(
            (DeployGreetingWorkflow wf) => wf.RunAsync($"load-{i}"),
            new($"deploy-load-{Guid.NewGuid():N}", taskQueue) { RunTimeout = TimeSpan.FromMinutes(5) }));
        await Task.WhenAll(runs);
        var elapsed = DateTime.UtcNow - started;
        await sampling.CancelAsync();
        await sampler;
        var after = tempora.ResidentMiB();
        output.WriteLine($"memory: {idle:0} MiB before, peak {peak:0} MiB while {count} workflows ran ({elapsed.TotalSeconds:0.0} s), {after:0} MiB after");
    }

    private static async Task WaitHealthyAsync(string published, Dictionary<string, string> environment, string metricsPort)
    {
        // The HEALTHCHECK command of the image; ready once the shards are owned.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (exitCode, text) = await PublishedServer.RunToolAsync(published, ["health", "--port", metricsPort], environment);
            if (exitCode == 0)
            {
                Assert.Contains("\"ready\"", text, StringComparison.Ordinal);
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"tempora health did not report ready within 30 s: {text}");
            }
            await Task.Delay(250);
        }
    }

    private static double ChartMemoryLimitMiB()
    {
        var values = new HelmChart(RepoPaths.Chart).DefaultValues();
        var limit = (string)((Dictionary<string, object?>)((Dictionary<string, object?>)values["resources"]!)["limits"]!)["memory"]!;
        return limit.EndsWith("Mi", StringComparison.Ordinal)
            ? double.Parse(limit[..^2], CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"resources.limits.memory {limit} is not in Mi");
    }

    private static NpgsqlConnectionStringBuilder TestPostgresServer()
    {
        var value = Environment.GetEnvironmentVariable("TEMPORA_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                "TEMPORA_TEST_POSTGRES is not set, so the entry-point test cannot run (it fails rather than skips). Run the tests with " +
                "`bash scripts/test.sh`, which starts PostgreSQL, or `eval \"$(bash scripts/postgres.sh)\"` first.");
        }
        return new NpgsqlConnectionStringBuilder(value);
    }

    private static async Task DropDatabasesAsync(NpgsqlConnectionStringBuilder server, params string[] databases)
    {
        var admin = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres", Pooling = false };
        await using var conn = new NpgsqlConnection(admin.ConnectionString);
        await conn.OpenAsync();
        foreach (var database in databases)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", conn);
                    await drop.ExecuteNonQueryAsync();
                    break;
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 20)
                {
                    // An autovacuum worker may be visiting the new database for a moment.
                    await Task.Delay(250);
                }
            }
        }
    }
}

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Versioning;
using Tempora.Web.Markup;
using Tempora.Web.Pages;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Deployment.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;
using VersionSummary = Temporalio.Api.Deployment.V1.WorkerDeploymentInfo.Types.WorkerDeploymentVersionSummary;

// The answers are shaped as 1.28 writes them, deprecated string fields included.
#pragma warning disable CS0612

namespace Tempora.Web.Tests;

/// <summary>
/// The worker deployment pages and a run's versioning rendered from answers shaped as Temporal 1.28 gives them,
/// without a server: every field of the describes reaches the page, and the forms carry what the actions need.
/// </summary>
public sealed class DeploymentPageRenderTests
{
    private static readonly Timestamp Created = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private static readonly Timestamp Changed = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 2, 9, 30, 0, TimeSpan.Zero));

    [Fact]
    public void List_ShowsCurrentRampingAndLatestVersionWithLinks()
    {
        var page = new ListWorkerDeploymentsResponse
        {
            WorkerDeployments =
            {
                new ListWorkerDeploymentsResponse.Types.WorkerDeploymentSummary
                {
                    Name = "orders",
                    CreateTime = Created,
                    RoutingConfig = Routing(current: "v1", ramping: "v2", percentage: 25),
                    LatestVersionSummary = new VersionSummary { DeploymentVersion = Version("orders", "v2") },
                },
                new ListWorkerDeploymentsResponse.Types.WorkerDeploymentSummary
                {
                    Name = "billing",
                    CreateTime = Created,
                    RoutingConfig = new RoutingConfig { CurrentVersion = DeploymentVersion.UnversionedString },
                },
            },
        };
        var w = new HtmlWriter();

        DeploymentListPage.WriteTable(w, "default", page, firstPage: true);
        var html = w.ToString();

        Assert.Contains("<a href=\"/namespaces/default/worker-deployments/orders\">orders</a>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"current\"><a class=\"mono\" href=\"/namespaces/default/worker-deployments/orders/version/v1\">orders.v1</a></td>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/namespaces/default/worker-deployments/orders/version/v2\">orders.v2</a> at <span class=\"ramp-percentage\">25%</span>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"latest\"><a class=\"mono\" href=\"/namespaces/default/worker-deployments/orders/version/v2\">", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"current\"><span class=\"muted\">unversioned</span></td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"ramping\"><span class=\"muted\">none</span></td>", html, StringComparison.Ordinal);
        Assert.Contains("2026-12-01 08:00:00.000", html, StringComparison.Ordinal);
    }

    [Fact]
    public void List_Empty_SaysHowDeploymentsAppear()
    {
        var w = new HtmlWriter();

        DeploymentListPage.WriteTable(w, "default", new ListWorkerDeploymentsResponse(), firstPage: true);

        Assert.Contains("No worker deployments yet", w.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Detail_ShowsRoutingVersionsAndFormsWithTheConflictToken()
    {
        var token = ByteString.CopyFrom(1, 2, 3, 250, 251, 252);

        var html = DeploymentDetailPage.Render("default", Deployment(token), Html.Empty, DeploymentChoice.None).Value;

        Assert.Contains("<dd class=\"current-version\"><a class=\"mono\" href=\"/namespaces/default/worker-deployments/orders/version/v1\">orders.v1</a></dd>", html, StringComparison.Ordinal);
        Assert.Contains("orders.v2</a> at <span class=\"ramp-percentage\">12.5%</span>", html, StringComparison.Ordinal);
        Assert.Contains("<dd class=\"last-modifier\">ops@example.com</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-build-id=\"v2\">", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"status version-ramping\">Ramping</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"status version-current\">Current</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"status version-draining\">Draining</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"drainage\">Draining</span>", html, StringComparison.Ordinal);
        Assert.Contains("2026-12-02 09:30:00.000", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/namespaces/default/worker-deployments/orders/set-current\"", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/namespaces/default/worker-deployments/orders/set-ramping\"", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/namespaces/default/worker-deployments/orders/stop-ramping\"", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/namespaces/default/worker-deployments/orders/delete\"", html, StringComparison.Ordinal);
        // The describe's token, Base64Url, in every routing form: a concurrent change is refused by the server.
        Assert.Equal(3, CountOf(html, "name=\"conflict-token\" value=\"AQID-vv8\""));
        // The current version is selected in its form; the ramp's form offers the others and the unversioned workers.
        Assert.Contains("<option value=\"v1\" selected>v1</option>", html, StringComparison.Ordinal);
        Assert.Contains("<option value=\"v2\" selected>v2</option>", html, StringComparison.Ordinal);
        Assert.Contains("<option value=\"__unversioned__\">unversioned workers</option>", html, StringComparison.Ordinal);
        Assert.Contains("name=\"percentage\" min=\"0\" max=\"100\" step=\"any\" required value=\"12.5\"", html, StringComparison.Ordinal);
        Assert.Contains("TemporalWorkerDeployment%20%3D%20%27orders%27", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Detail_RefusedRamp_KeepsWhatWasChosen()
    {
        var choice = new DeploymentChoice("set-ramping", "v0", "40", IgnoreMissingTaskQueues: true, "AQID");

        var html = DeploymentDetailPage.Render("default", Deployment(ByteString.Empty), Html.Of($"<p class=\"error\">conflict token mismatch</p>"), choice).Value;

        Assert.Contains("<p class=\"error\">conflict token mismatch</p>", html, StringComparison.Ordinal);
        Assert.Contains("<details open><summary>Set ramping version</summary>", html, StringComparison.Ordinal);
        Assert.Contains("<option value=\"v0\" selected>v0</option>", html, StringComparison.Ordinal);
        Assert.Contains("required value=\"40\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"true\" checked>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Detail_NoRampAndUnversionedCurrent_OffersNoStopAndNoUnversionedRamp()
    {
        var description = new DescribeWorkerDeploymentResponse
        {
            WorkerDeploymentInfo = new WorkerDeploymentInfo
            {
                Name = "fresh",
                RoutingConfig = new RoutingConfig { CurrentVersion = DeploymentVersion.UnversionedString },
                VersionSummaries = { new VersionSummary { DeploymentVersion = Version("fresh", "b1"), Status = WorkerDeploymentVersionStatus.Inactive } },
            },
        };

        var html = DeploymentDetailPage.Render("default", description, Html.Empty, DeploymentChoice.None).Value;

        Assert.Contains("<dd class=\"current-version\"><span class=\"muted\">unversioned</span></dd>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/stop-ramping", html, StringComparison.Ordinal);
        Assert.Contains("<option value=\"__unversioned__\" selected>unversioned workers</option>", html, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(html, "unversioned workers</option>")); // the ramp cannot go to what is current
        Assert.Contains("<span class=\"status version-inactive\">Inactive</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Detail_HostileNames_AreTextAndEncodedSegments()
    {
        var description = new DescribeWorkerDeploymentResponse
        {
            WorkerDeploymentInfo = new WorkerDeploymentInfo
            {
                Name = "a<b>",
                RoutingConfig = new RoutingConfig { CurrentDeploymentVersion = Version("a<b>", "x/y?<i>") },
                VersionSummaries = { new VersionSummary { DeploymentVersion = Version("a<b>", "x/y?<i>"), Status = WorkerDeploymentVersionStatus.Current } },
            },
        };

        var html = DeploymentDetailPage.Render("default", description, Html.Empty, DeploymentChoice.None).Value;

        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/namespaces/default/worker-deployments/a%3Cb%3E/version/x%2Fy%3F%3Ci%3E\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_ShowsStatusTimesDrainageTaskQueuesMetadataAndDelete()
    {
        var info = new WorkerDeploymentVersionInfo
        {
            DeploymentVersion = Version("orders", "v1"),
            Status = WorkerDeploymentVersionStatus.Draining,
            CreateTime = Created,
            RoutingChangedTime = Changed,
            FirstActivationTime = Created,
            LastDeactivationTime = Changed,
            DrainageInfo = new VersionDrainageInfo { Status = VersionDrainageStatus.Draining, LastChangedTime = Changed, LastCheckedTime = Changed },
            TaskQueueInfos =
            {
                new WorkerDeploymentVersionInfo.Types.VersionTaskQueueInfo { Name = "orders-tq", Type = TaskQueueType.Workflow },
                new WorkerDeploymentVersionInfo.Types.VersionTaskQueueInfo { Name = "orders-tq", Type = TaskQueueType.Activity },
            },
            Metadata = new VersionMetadata { Entries = { ["owner"] = Json("\"team-orders\"") } },
        };

        var html = DeploymentVersionPage.Render("default", new DeploymentVersion("orders", "v1"), info, Html.Empty).Value;

        Assert.Contains("<dd class=\"mono version-string\">orders.v1</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"status version-draining\">Draining</span>", html, StringComparison.Ordinal);
        Assert.Contains("<dd class=\"drainage-info\"><span class=\"drainage\">Draining</span>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td><a href=\"/namespaces/default/task-queues/orders-tq\">orders-tq</a></td><td>Workflow</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<td>Activity</td>", html, StringComparison.Ordinal);
        Assert.Contains("<dt>owner</dt>", html, StringComparison.Ordinal);
        Assert.Contains("team-orders", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/namespaces/default/worker-deployments/orders/version/v1/delete\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"skip-drainage\"", html, StringComparison.Ordinal);
        Assert.Contains("TemporalWorkerDeploymentVersion%20%3D%20%27orders%3Av1%27", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<dt>Ramp</dt>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Unimplemented_SaysSoWithTheServersMessage()
    {
        var html = DeploymentView.Unimplemented("default", "Method <DescribeWorkerDeployment> is not implemented").Value;

        Assert.Contains("This server does not serve worker deployments: it answered Unimplemented (Method &lt;DescribeWorkerDeployment&gt; is not implemented).", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_PinnedWithOverrideAndTransition_ShowsVersioning()
    {
        var info = new WorkflowExecutionInfo
        {
            WorkerDeploymentName = "orders",
            VersioningInfo = new WorkflowExecutionVersioningInfo
            {
                Behavior = VersioningBehavior.Pinned,
                DeploymentVersion = Version("orders", "v1"),
                VersioningOverride = new VersioningOverride
                {
                    Pinned = new VersioningOverride.Types.PinnedOverride { Behavior = VersioningOverride.Types.PinnedOverrideBehavior.Pinned, Version = Version("orders", "v1") },
                },
                VersionTransition = new DeploymentVersionTransition { DeploymentVersion = Version("orders", "v2") },
            },
        };
        var w = new HtmlWriter();

        WorkflowDetailPage.WriteVersioning(w, "default", info);
        var html = w.ToString();

        Assert.Contains("<dd class=\"worker-deployment\"><a href=\"/namespaces/default/worker-deployments/orders\">orders</a></dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd class=\"versioning-behavior\">Pinned</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd class=\"deployment-version\"><a class=\"mono\" href=\"/namespaces/default/worker-deployments/orders/version/v1\">orders.v1</a></dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd class=\"versioning-override\">Pinned to orders.v1</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd class=\"version-transition\"><a class=\"mono\" href=\"/namespaces/default/worker-deployments/orders/version/v2\">orders.v2</a></dd>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Unversioned_ShowsNoVersioning()
    {
        var w = new HtmlWriter();

        WorkflowDetailPage.WriteVersioning(w, "default", new WorkflowExecutionInfo());

        Assert.Equal("", w.ToString());
    }

    [Fact]
    public void Run_StringFormsOnly_AreReadToo()
    {
        var info = new WorkflowExecutionInfo
        {
            VersioningInfo = new WorkflowExecutionVersioningInfo
            {
                Behavior = VersioningBehavior.AutoUpgrade,
                Version = "orders.v3",
                VersioningOverride = new VersioningOverride { Behavior = VersioningBehavior.Pinned, PinnedVersion = "orders.v2" },
            },
        };
        var w = new HtmlWriter();

        WorkflowDetailPage.WriteVersioning(w, "default", info);
        var html = w.ToString();

        Assert.Contains("<dd class=\"versioning-behavior\">Auto-upgrade</dd>", html, StringComparison.Ordinal);
        Assert.Contains(">orders.v3</a>", html, StringComparison.Ordinal);
        Assert.Contains("Pinned to orders.v2", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Events_VersioningFields_AreInTheGists()
    {
        var completed = new HistoryEvent
        {
            EventType = EventType.WorkflowTaskCompleted,
            WorkflowTaskCompletedEventAttributes = new WorkflowTaskCompletedEventAttributes
            {
                VersioningBehavior = VersioningBehavior.Pinned,
                DeploymentVersion = Version("orders", "v1"),
            },
        };
        var pinned = new HistoryEvent
        {
            EventType = EventType.WorkflowExecutionOptionsUpdated,
            WorkflowExecutionOptionsUpdatedEventAttributes = new WorkflowExecutionOptionsUpdatedEventAttributes
            {
                VersioningOverride = new VersioningOverride { AutoUpgrade = true },
            },
        };
        var unset = new HistoryEvent
        {
            EventType = EventType.WorkflowExecutionOptionsUpdated,
            WorkflowExecutionOptionsUpdatedEventAttributes = new WorkflowExecutionOptionsUpdatedEventAttributes { UnsetVersioningOverride = true },
        };

        Assert.Equal("Pinned on orders.v1", WorkflowDetailPage.Gist(completed));
        Assert.Equal("versioning override: Auto-upgrade", WorkflowDetailPage.Gist(pinned));
        Assert.Equal("versioning override removed", WorkflowDetailPage.Gist(unset));
        Assert.Equal("", WorkflowDetailPage.Gist(new HistoryEvent { WorkflowTaskCompletedEventAttributes = new() }));
    }

    private static DescribeWorkerDeploymentResponse Deployment(ByteString token) => new()
    {
        ConflictToken = token,
        WorkerDeploymentInfo = new WorkerDeploymentInfo
        {
            Name = "orders",
            CreateTime = Created,
            LastModifierIdentity = "ops@example.com",
            RoutingConfig = Routing(current: "v1", ramping: "v2", percentage: 12.5f),
            VersionSummaries =
            {
                new VersionSummary { DeploymentVersion = Version("orders", "v2"), Status = WorkerDeploymentVersionStatus.Ramping, CreateTime = Changed, RampingSinceTime = Changed },
                new VersionSummary { DeploymentVersion = Version("orders", "v1"), Status = WorkerDeploymentVersionStatus.Current, CreateTime = Created, CurrentSinceTime = Changed },
                new VersionSummary
                {
                    DeploymentVersion = Version("orders", "v0"),
                    Status = WorkerDeploymentVersionStatus.Draining,
                    CreateTime = Created,
                    DrainageInfo = new VersionDrainageInfo { Status = VersionDrainageStatus.Draining, LastCheckedTime = Changed },
                },
            },
        },
    };

    private static RoutingConfig Routing(string current, string ramping, float percentage) => new()
    {
        CurrentDeploymentVersion = Version("orders", current),
        RampingDeploymentVersion = Version("orders", ramping),
        RampingVersionPercentage = percentage,
        CurrentVersionChangedTime = Changed,
        RampingVersionChangedTime = Changed,
    };

    private static WorkerDeploymentVersion Version(string deployment, string buildId) => new() { DeploymentName = deployment, BuildId = buildId };

    private static Payload Json(string json) => new()
    {
        Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
        Data = ByteString.CopyFromUtf8(json),
    };

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}

using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Tempora.Web.Markup;
using Temporalio.Api.Enums.V1;

namespace Tempora.Web.Rendering;

/// <summary>How times, durations, statuses and links look on every page.</summary>
internal static class Format
{
    /// <summary>UTC, to the millisecond: runs are compared across machines, so every page shows one zone.</summary>
    public static Html Time(Timestamp? timestamp) => timestamp is null || (timestamp.Seconds == 0 && timestamp.Nanos == 0)
        ? Html.Of($"<span class=\"muted\">–</span>")
        : Time(timestamp.ToDateTimeOffset());

    public static Html Time(DateTimeOffset time) =>
        Html.Of($"<time datetime=\"{time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}\">{TimeText(time)}</time>");

    public static string TimeText(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }
        return span.TotalSeconds < 1 ? $"{span.TotalMilliseconds:0}ms"
            : span.TotalMinutes < 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###}s")
            : span.TotalHours < 1 ? Two((int)span.TotalMinutes, "m", span.Seconds, "s")
            : span.TotalDays < 1 ? Two((int)span.TotalHours, "h", span.Minutes, "m")
            : Two((int)span.TotalDays, "d", span.Hours, "h");

        static string Two(int major, string majorUnit, int minor, string minorUnit) =>
            minor == 0 ? $"{major}{majorUnit}" : $"{major}{majorUnit} {minor}{minorUnit}";
    }

    public static string Duration(Google.Protobuf.WellKnownTypes.Duration? duration) =>
        duration is null ? "–" : Duration(duration.ToTimeSpan());

    /// <summary>The status's name as the list-filter language spells it (ExecutionStatus = 'ContinuedAsNew').</summary>
    public static string StatusName(WorkflowExecutionStatus status) => status switch
    {
        WorkflowExecutionStatus.Unspecified => "Unspecified",
        _ => status.ToString(),
    };

    public static Html Status(WorkflowExecutionStatus status) =>
        Html.Of($"<span class=\"status status-{StatusName(status).ToLowerInvariant()}\">{StatusName(status)}</span>");

    /// <summary>One path segment: ids may hold '/', '?', '#', '%' and spaces, or be "." (<see cref="PathSegment"/>).</summary>
    public static string Segment(string value) => PathSegment.Encode(value);

    public static string WorkflowsUrl(string ns) => $"/namespaces/{Segment(ns)}/workflows";

    public static string RunUrl(string ns, string workflowId, string runId) =>
        $"/namespaces/{Segment(ns)}/workflows/{Segment(workflowId)}/{Segment(runId)}/history";

    public static string TaskQueueUrl(string ns, string taskQueue) => $"/namespaces/{Segment(ns)}/task-queues/{Segment(taskQueue)}";

    public static string SchedulesUrl(string ns) => $"/namespaces/{Segment(ns)}/schedules";

    public static string ScheduleUrl(string ns, string scheduleId) => $"{SchedulesUrl(ns)}/{Segment(scheduleId)}";

    /// <summary>The batch operations of a namespace (the Temporal UI's URL); a POST here starts one after a confirmation.</summary>
    public static string BatchesUrl(string ns) => $"/namespaces/{Segment(ns)}/batch-operations";

    public static string BatchUrl(string ns, string jobId) => $"{BatchesUrl(ns)}/{Segment(jobId)}";

    public static string NamespaceUrl(string ns) => $"/namespaces/{Segment(ns)}";

    /// <summary>The archived workflows of a namespace (the Temporal UI's URL), optionally with a query.</summary>
    public static string ArchivalUrl(string ns, string query = "") =>
        $"/namespaces/{Segment(ns)}/archival" + (query.Length > 0 ? $"?query={Uri.EscapeDataString(query)}" : "");

    /// <summary>An archived run's page, read from the archive through GetWorkflowExecutionHistory.</summary>
    public static string ArchivedRunUrl(string ns, string workflowId, string runId) =>
        $"/namespaces/{Segment(ns)}/archival/{Segment(workflowId)}/{Segment(runId)}/history";

    /// <summary>
    /// The Nexus endpoints, at the Temporal UI's URL. Endpoints are cluster-wide, so this is outside /namespaces/{ns}.
    /// </summary>
    public const string NexusEndpointsUrl = "/nexus";

    public static string NexusEndpointUrl(string endpointId) => $"{NexusEndpointsUrl}/{Segment(endpointId)}";

    /// <summary>The new-endpoint form (the Temporal UI's URL; the literal segment wins over an endpoint id in routing).</summary>
    public const string NexusEndpointCreateUrl = NexusEndpointsUrl + "/create";

    public static string NexusEndpointEditUrl(string endpointId) => $"{NexusEndpointUrl(endpointId)}/edit";

    /// <summary>The worker deployments of a namespace (the Temporal UI's URL).</summary>
    public static string DeploymentsUrl(string ns) => $"/namespaces/{Segment(ns)}/worker-deployments";

    public static string DeploymentUrl(string ns, string deploymentName) => $"{DeploymentsUrl(ns)}/{Segment(deploymentName)}";

    /// <summary>A version's page: the deployment is in the path already, so the last segment is the build id.</summary>
    public static string DeploymentVersionUrl(string ns, string deploymentName, string buildId) =>
        $"{DeploymentUrl(ns, deploymentName)}/version/{Segment(buildId)}";

    public static string ListUrl(string ns, string query) => $"{WorkflowsUrl(ns)}?query={Uri.EscapeDataString(query)}";

    /// <summary>A list-filter string literal: single-quoted, a quote inside doubled.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}

using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Filter.V1;

namespace Tempora.Visibility;

/// <summary>
/// The filters of the older ListOpen/ListClosedWorkflowExecutions written as list-filter queries. The frontend has
/// checked them (time range, status) before.
/// </summary>
internal static class LegacyListFilters
{
    public static string Open(StartTimeFilter? startTime, WorkflowExecutionFilter? execution, WorkflowTypeFilter? type)
    {
        var filters = new List<string> { "ExecutionStatus = 'Running'" };
        AddTimeFilter(filters, "StartTime", startTime);
        AddExecutionOrTypeFilter(filters, execution, type);
        return string.Join(" AND ", filters);
    }

    public static string Closed(StartTimeFilter? startTime, WorkflowExecutionFilter? execution, WorkflowTypeFilter? type, StatusFilter? status)
    {
        // Like upstream, the time filter of closed runs applies to when they closed.
        var filters = new List<string> { "ExecutionStatus != 'Running'" };
        AddTimeFilter(filters, "CloseTime", startTime);
        AddExecutionOrTypeFilter(filters, execution, type);
        if (status is { Status: not WorkflowExecutionStatus.Unspecified } statusFilter)
        {
            filters.Add($"ExecutionStatus = '{StatusName(statusFilter.Status)}'");
        }
        return string.Join(" AND ", filters);
    }

    public static string StatusName(WorkflowExecutionStatus status) => status switch
    {
        WorkflowExecutionStatus.Running => "Running",
        WorkflowExecutionStatus.Completed => "Completed",
        WorkflowExecutionStatus.Failed => "Failed",
        WorkflowExecutionStatus.Canceled => "Canceled",
        WorkflowExecutionStatus.Terminated => "Terminated",
        WorkflowExecutionStatus.ContinuedAsNew => "ContinuedAsNew",
        WorkflowExecutionStatus.TimedOut => "TimedOut",
        _ => "Unspecified",
    };

    private static void AddTimeFilter(List<string> filters, string attribute, StartTimeFilter? filter)
    {
        if (filter?.EarliestTime is { } earliest)
        {
            filters.Add($"{attribute} >= {Literal(earliest)}");
        }
        if (filter?.LatestTime is { } latest && latest.Seconds > 0)
        {
            filters.Add($"{attribute} <= {Literal(latest)}");
        }
    }

    private static void AddExecutionOrTypeFilter(List<string> filters, WorkflowExecutionFilter? execution, WorkflowTypeFilter? type)
    {
        if (!string.IsNullOrEmpty(execution?.WorkflowId))
        {
            filters.Add($"WorkflowId = {Literal(execution.WorkflowId)}");
        }
        if (!string.IsNullOrEmpty(execution?.RunId))
        {
            filters.Add($"RunId = {Literal(execution.RunId)}");
        }
        if (!string.IsNullOrEmpty(type?.Name))
        {
            filters.Add($"WorkflowType = {Literal(type.Name)}");
        }
    }

    /// <summary>A quoted string literal of the list-filter language (quotes doubled).</summary>
    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Literal(Timestamp time) =>
        Literal(time.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
}

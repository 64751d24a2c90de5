using Microsoft.AspNetCore.Http;
using Temporalio.Api.Common.V1;

namespace Tempora.Web.Pages;

/// <summary>
/// Which workflows a batch acts on, as the list's form posts it: the ticked rows (<see cref="Executions"/>), or every
/// run the list's filter matches (<see cref="Executions"/> null). The filter travels as the list's own fields
/// (filterQuery, filterType, filterStatus: not the list's own names, which its filter form above holds), so the query the confirmation shows is rebuilt the same way when it is confirmed.
/// </summary>
internal sealed record BatchSelection(ListFilter Filter, IReadOnlyList<WorkflowExecution>? Executions)
{
    /// <summary>A checkbox's value: the run id (a UUID, never holding ':') first, then the workflow id as it is.</summary>
    public static string Value(WorkflowExecution execution) => $"{execution.RunId}:{execution.WorkflowId}";

    public bool AllMatching => Executions is null;

    /// <summary>The query StartBatchOperation gets for "all matching": the list's filter, plus Running when the operation needs it.</summary>
    public string VisibilityQuery(BatchOperationKind kind) => kind.RunningOnly && Filter.Status != "Running"
        ? ListFilter.Join(Filter.Query, Filter.TypeClause, Filter.StatusClause, "ExecutionStatus = 'Running'")
        : Filter.Combined;

    public static ListFilter ReadFilter(IFormCollection form) =>
        new(form["filterQuery"].ToString().Trim(), form["filterStatus"].ToString().Trim(), form["filterType"].ToString().Trim());

    /// <exception cref="ActionInputException">Nothing selected, or a value no row of the list writes.</exception>
    public static BatchSelection Read(IFormCollection form)
    {
        var filter = ReadFilter(form);
        if (form["scope"] == "all")
        {
            return new BatchSelection(filter, null);
        }
        var executions = new List<WorkflowExecution>();
        foreach (var value in form["execution"])
        {
            var colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            if (colon <= 0 || colon == value!.Length - 1)
            {
                throw new ActionInputException($"'{value}' is not a workflow of the list.");
            }
            executions.Add(new WorkflowExecution { RunId = value[..colon], WorkflowId = value[(colon + 1)..] });
        }
        return executions.Count > 0
            ? new BatchSelection(filter, executions)
            : throw new ActionInputException("No workflow is selected: tick the rows to act on, or choose all matching the filter.");
    }
}


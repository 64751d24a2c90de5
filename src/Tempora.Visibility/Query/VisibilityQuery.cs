namespace Tempora.Visibility.Query;

/// <summary>
/// A list filter parsed and checked against its namespace's search attributes (<see cref="ListFilter.Parse"/>):
/// <see cref="Filter"/> is null when the query matches every run; <see cref="GroupByStatus"/> asks for counts per
/// ExecutionStatus (CountWorkflowExecutions only).
/// </summary>
public sealed record VisibilityQuery(Condition? Filter, bool GroupByStatus);

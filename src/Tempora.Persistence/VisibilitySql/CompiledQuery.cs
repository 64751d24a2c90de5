namespace Tempora.Persistence.VisibilitySql;

/// <summary>
/// A list filter compiled for one dialect. <paramref name="Where"/> is a boolean SQL expression over
/// <c>executions_visibility</c> ("1=1" on SQLite, "TRUE" on PostgreSQL when the query has no filter); it holds no
/// user text, only the placeholders of <paramref name="Parameters"/> (values in placeholder order).
/// <paramref name="GroupBy"/> is null, or the column to group by ("status" for <c>GROUP BY ExecutionStatus</c>).
/// </summary>
public sealed record CompiledQuery(string Where, IReadOnlyList<object?> Parameters, string? GroupBy);

namespace Tempora.Visibility.Query;

/// <summary>
/// A search attribute a filter names, resolved: its type and, for system attributes, the record member that holds
/// it (null: in the record's SearchAttributesJson, under <see cref="Name"/>).
/// </summary>
public sealed record FilterAttribute(string Name, SearchAttributeType Type, VisibilityField? Field)
{
    /// <summary>ExecutionStatus: a Keyword in the language, stored as the status number.</summary>
    public bool IsStatus => Field == VisibilityField.ExecutionStatus;

    /// <summary>ExecutionDuration: an Int of nanoseconds that also accepts duration strings.</summary>
    public bool IsDuration => Field == VisibilityField.ExecutionDuration;

    /// <summary>
    /// Temporal's ScheduleId alias (when no custom attribute has that name): the WorkflowId column, with every value
    /// given the schedule workflow id prefix.
    /// </summary>
    public bool IsScheduleId => Name == ScheduleIdAlias && Field == VisibilityField.WorkflowId;

    internal const string ScheduleIdAlias = "ScheduleId";
}

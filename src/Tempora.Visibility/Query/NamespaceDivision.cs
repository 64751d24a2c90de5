namespace Tempora.Visibility.Query;

/// <summary>
/// TemporalNamespaceDivision splits a namespace's visibility rows between user workflows (no division) and the rows
/// the server keeps for itself (schedules: <see cref="ScheduleVisibility.NamespaceDivision"/>). The conditions here
/// scope a checked filter to one side.
/// </summary>
internal static class NamespaceDivision
{
    public const string Name = ScheduleVisibility.NamespaceDivisionAttribute;

    private static readonly FilterAttribute Attribute = SystemAttributeTable.ByName[Name];

    /// <summary>Rows of user workflows: the implicit condition of workflow queries that do not name the division.</summary>
    public static readonly Condition IsNone = new IsNullCondition(Attribute, Negated: false);

    public static readonly Condition IsScheduler = new ComparisonCondition(Attribute, ComparisonOperator.Equal, ScheduleVisibility.NamespaceDivision);

    /// <summary><paramref name="left"/> AND <paramref name="right"/>, where a null side (no filter) matches every row.</summary>
    public static Condition? And(Condition? left, Condition? right) =>
        left is null ? right : right is null ? left : new AndCondition([left, right]);
}

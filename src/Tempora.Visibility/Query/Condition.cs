namespace Tempora.Visibility.Query;

/// <summary>
/// A checked list filter: every name resolved to its <see cref="FilterAttribute"/> and every value converted to the
/// attribute's type, so a store only has to say it in its own terms. Values are <see cref="string"/> (Keyword, Text,
/// KeywordList), <see cref="long"/> (Int, ExecutionDuration in nanoseconds, ExecutionStatus as its number),
/// <see cref="double"/>, <see cref="bool"/>, or <see cref="DateTimeOffset"/> (Datetime, UTC, whole microseconds).
/// A missing attribute follows SQL's three-valued logic (<see cref="ListFilter"/>): every condition on it is unknown,
/// negated or not, except <see cref="IsNullCondition"/>.
/// </summary>
public abstract record Condition;

public sealed record AndCondition(IReadOnlyList<Condition> Operands) : Condition;

public sealed record OrCondition(IReadOnlyList<Condition> Operands) : Condition;

public sealed record NotCondition(Condition Operand) : Condition;

/// <summary><c>Attribute op Value</c> on a scalar attribute (never KeywordList or Text).</summary>
public sealed record ComparisonCondition(FilterAttribute Attribute, ComparisonOperator Operator, object Value) : Condition;

/// <summary><c>Attribute [NOT] IN (Values)</c> on a scalar attribute.</summary>
public sealed record InCondition(FilterAttribute Attribute, bool Negated, IReadOnlyList<object> Values) : Condition;

/// <summary><c>Attribute [NOT] BETWEEN From AND To</c> on an ordered attribute.</summary>
public sealed record BetweenCondition(FilterAttribute Attribute, bool Negated, object From, object To) : Condition;

public sealed record IsNullCondition(FilterAttribute Attribute, bool Negated) : Condition;

/// <summary>A Keyword attribute [not] starting with <see cref="Prefix"/>, compared as a value, never as a pattern.</summary>
public sealed record StartsWithCondition(FilterAttribute Attribute, bool Negated, string Prefix) : Condition;

/// <summary>A KeywordList attribute [not] holding any of <see cref="Values"/> (its =, !=, IN and NOT IN).</summary>
public sealed record ContainsAnyCondition(FilterAttribute Attribute, bool Negated, IReadOnlyList<string> Values) : Condition;

/// <summary>
/// A Text attribute [not] holding every word of <see cref="Words"/> (the query's words joined by spaces, each at
/// most <see cref="TextMatch.MaxWordBytes"/> bytes), as <see cref="TextMatch"/> defines it.
/// </summary>
public sealed record TextMatchCondition(FilterAttribute Attribute, bool Negated, string Words) : Condition;

namespace Tempora.Visibility.Query;

/// <summary>The parsed filter, before names and values are checked against the search attribute types.</summary>
internal abstract record FilterNode;

internal sealed record AndNode(IReadOnlyList<FilterNode> Operands) : FilterNode;

internal sealed record OrNode(IReadOnlyList<FilterNode> Operands) : FilterNode;

internal sealed record NotNode(FilterNode Operand) : FilterNode;

/// <summary><c>Name op value</c> with op one of = != &lt; &gt; &lt;= &gt;=.</summary>
internal sealed record ComparisonNode(Token Name, Token Operator, Token Value) : FilterNode;

internal sealed record InNode(Token Name, bool Negated, IReadOnlyList<Token> Values) : FilterNode;

internal sealed record BetweenNode(Token Name, bool Negated, Token From, Token To) : FilterNode;

internal sealed record IsNullNode(Token Name, bool Negated) : FilterNode;

internal sealed record StartsWithNode(Token Name, bool Negated, Token Prefix) : FilterNode;

/// <summary>A whole query: an optional filter and an optional GROUP BY name.</summary>
internal sealed record ParsedQuery(FilterNode? Filter, Token? GroupBy);

namespace Tempora.Visibility.Query;

/// <summary>The operator of a <see cref="ComparisonCondition"/> (the language's = != &lt;&gt; &lt; &gt; &lt;= &gt;=).</summary>
public enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
}

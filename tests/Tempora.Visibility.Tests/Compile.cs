using Tempora.Persistence.VisibilitySql;

namespace Tempora.Visibility.Query.Tests;

/// <summary>Parses and compiles with the placeholders the stores use and the custom attributes of the seed data.</summary>
internal static class Compile
{
    public static readonly IReadOnlyDictionary<string, SearchAttributeType> Custom = new Dictionary<string, SearchAttributeType>
    {
        ["CustomKeyword"] = SearchAttributeType.Keyword,
        ["CustomText"] = SearchAttributeType.Text,
        ["CustomInt"] = SearchAttributeType.Int,
        ["CustomDouble"] = SearchAttributeType.Double,
        ["CustomBool"] = SearchAttributeType.Bool,
        ["CustomDatetime"] = SearchAttributeType.Datetime,
        ["CustomKeywordList"] = SearchAttributeType.KeywordList,
        ["Dotted.Name"] = SearchAttributeType.Keyword,
        ["O'Brien Ünïcode"] = SearchAttributeType.Int,
    };

    public static string SqlitePlaceholder(int i) => $"$q{i}";

    /// <summary>PostgreSQL placeholders after the store's own first parameter (the namespace id is $1).</summary>
    public static string PostgresPlaceholder(int i) => $"${i + 2}";

    public static CompiledQuery Sqlite(string? query, bool allowGroupBy = false) =>
        With(query, Custom, SqlDialect.Sqlite, SqlitePlaceholder, allowGroupBy);

    public static CompiledQuery Postgres(string? query, bool allowGroupBy = false) =>
        With(query, Custom, SqlDialect.Postgres, PostgresPlaceholder, allowGroupBy);

    /// <summary>What a store does with a list filter: parse and check it, then compile it for its dialect. The user's filter
    /// alone: the namespace-division scoping of ListFilter.Parse is tested on its own (NamespaceDivisionTests).</summary>
    public static CompiledQuery With(string? query, IReadOnlyDictionary<string, SearchAttributeType> custom, SqlDialect dialect,
        Func<int, string> placeholder, bool allowGroupBy) =>
        SqlCompiler.Compile(ListFilter.ParseFilter(query, custom, allowGroupBy), dialect, placeholder);

    public static CompiledQuery Sqlite(VisibilityQuery query) => SqlCompiler.Compile(query, SqlDialect.Sqlite, SqlitePlaceholder);

    public static CompiledQuery Postgres(VisibilityQuery query) => SqlCompiler.Compile(query, SqlDialect.Postgres, PostgresPlaceholder);

    /// <summary>Compiles for both dialects and returns the message both threw (they must agree).</summary>
    public static string Error(string? query, bool allowGroupBy = false)
    {
        var sqlite = Assert.Throws<InvalidQueryException>(() => Sqlite(query, allowGroupBy));
        var postgres = Assert.Throws<InvalidQueryException>(() => Postgres(query, allowGroupBy));
        Assert.Equal(sqlite.Message, postgres.Message);
        Assert.StartsWith("invalid query: ", sqlite.Message, StringComparison.Ordinal);
        return sqlite.Message;
    }
}

using System.Text;

namespace Tempora.Visibility.Query;

/// <summary>Builds the messages of <see cref="InvalidQueryException"/>: "invalid query: ..." with 1-based positions.</summary>
internal static class Errors
{
    private const int MaxQuotedLength = 40;

    public static InvalidQueryException Invalid(string problem) => new($"invalid query: {problem}");

    /// <summary>"invalid query: {problem} at position {n}[ ({detail})]", n 1-based.</summary>
    public static InvalidQueryException At(int position, string problem, string? detail = null) =>
        new($"invalid query: {problem} at position {position + 1}" + (detail is null ? "" : $" ({detail})"));

    /// <summary>User text quoted for a message: shortened, with control characters escaped.</summary>
    public static string Quote(string text)
    {
        var sb = new StringBuilder("'");
        var shown = text.Length > MaxQuotedLength ? text[..MaxQuotedLength] : text;
        if (shown.Length > 0 && char.IsHighSurrogate(shown[^1]))
        {
            shown = shown[..^1];
        }
        foreach (var c in shown)
        {
            if (char.IsControl(c))
            {
                sb.Append($"\\u{(int)c:x4}");
            }
            else
            {
                sb.Append(c);
            }
        }
        if (shown.Length < text.Length)
        {
            sb.Append('…');
        }
        return sb.Append('\'').ToString();
    }

    public static string Describe(Token token) => token.Kind switch
    {
        TokenKind.End => "end of query",
        TokenKind.String => $"string {Quote(token.Text)}",
        TokenKind.QuotedName => $"`{token.Text}`",
        _ => Quote(token.Text),
    };
}

namespace Tempora.Visibility.Query;

internal enum TokenKind
{
    /// <summary>A bare word: an attribute name or a keyword (AND, NOT, IN, ...), told apart by the parser.</summary>
    Word,

    /// <summary>A back-quoted name (`Name`): never a keyword.</summary>
    QuotedName,
    String,
    Integer,
    Decimal,
    Operator,
    LeftParen,
    RightParen,
    Comma,
    End,
}

/// <summary>One token. Text is the unescaped value of strings and names; Position is the 0-based offset in the query.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Position)
{
    public bool IsKeyword(string keyword) => Kind == TokenKind.Word && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);
}

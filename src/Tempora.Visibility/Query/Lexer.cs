using System.Text;

namespace Tempora.Visibility.Query;

/// <summary>
/// Splits a list filter into tokens. Strings are single- or double-quoted and a quote is escaped by doubling it
/// (<c>'it''s'</c>, <c>"say ""hi"""</c>); a backslash is an ordinary character. Names may be back-quoted
/// (<c>`My Attribute`</c>, a back-quote doubled inside). Comments, semicolons and other SQL punctuation are errors.
/// </summary>
internal static class Lexer
{
    public static List<Token> Tokenize(string query)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < query.Length && char.IsWhiteSpace(query[i]))
            {
                i++;
            }
            if (i >= query.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", query.Length));
                return tokens;
            }
            var start = i;
            var c = query[i];
            var next = i + 1 < query.Length ? query[i + 1] : '\0';
            switch (c)
            {
                case '\'' or '"':
                    tokens.Add(new Token(TokenKind.String, ReadQuoted(query, ref i, c, "string"), start));
                    continue;
                case '`':
                    var name = ReadQuoted(query, ref i, '`', "back-quoted name");
                    if (name.Length == 0)
                    {
                        throw Errors.At(start, "empty back-quoted name");
                    }
                    tokens.Add(new Token(TokenKind.QuotedName, name, start));
                    continue;
                case '(':
                    tokens.Add(new Token(TokenKind.LeftParen, "(", start));
                    i++;
                    continue;
                case ')':
                    tokens.Add(new Token(TokenKind.RightParen, ")", start));
                    i++;
                    continue;
                case ',':
                    tokens.Add(new Token(TokenKind.Comma, ",", start));
                    i++;
                    continue;
                case '=':
                    tokens.Add(new Token(TokenKind.Operator, "=", start));
                    i++;
                    continue;
                case '!' when next == '=':
                    tokens.Add(new Token(TokenKind.Operator, "!=", start));
                    i += 2;
                    continue;
                case '<' or '>':
                    if (next == '=')
                    {
                        tokens.Add(new Token(TokenKind.Operator, c + "=", start));
                        i += 2;
                    }
                    else if (c == '<' && next == '>')
                    {
                        tokens.Add(new Token(TokenKind.Operator, "!=", start)); // SQL's spelling of !=
                        i += 2;
                    }
                    else
                    {
                        tokens.Add(new Token(TokenKind.Operator, c.ToString(), start));
                        i++;
                    }
                    continue;
                case '-' when next == '-':
                case '/' when next == '*':
                case '#':
                    throw Errors.At(start, "comments are not supported");
                case ';':
                    throw Errors.At(start, "unexpected token ';'", "a query is one filter expression; semicolons are not supported");
            }
            if (IsDigit(c) || (c == '-' && IsDigit(next)))
            {
                tokens.Add(ReadNumber(query, ref i));
                continue;
            }
            if (IsNameStart(c))
            {
                while (i < query.Length && IsNamePart(query[i]))
                {
                    i++;
                }
                tokens.Add(new Token(TokenKind.Word, query[start..i], start));
                continue;
            }
            throw Errors.At(start, $"unexpected character {Errors.Quote(char.IsSurrogate(c) && i + 1 < query.Length ? query.Substring(i, 2) : c.ToString())}");
        }
    }

    private static string ReadQuoted(string query, ref int i, char quote, string what)
    {
        var start = i;
        var sb = new StringBuilder();
        i++;
        while (true)
        {
            if (i >= query.Length)
            {
                throw Errors.At(start, $"unterminated {what}");
            }
            var c = query[i];
            if (c == quote)
            {
                if (i + 1 < query.Length && query[i + 1] == quote)
                {
                    sb.Append(quote);
                    i += 2;
                    continue;
                }
                i++;
                return sb.ToString();
            }
            if (c == '\0')
            {
                // PostgreSQL text cannot hold NUL, and SQLite's length() stops at it: refuse it instead of letting
                // the two stores disagree.
                throw Errors.At(i, $"NUL character in {what}");
            }
            sb.Append(c);
            i++;
        }
    }

    private static Token ReadNumber(string query, ref int i)
    {
        var start = i;
        if (query[i] == '-')
        {
            i++;
        }
        var isDecimal = false;
        SkipDigits(query, ref i);
        if (i < query.Length && query[i] == '.' && i + 1 < query.Length && IsDigit(query[i + 1]))
        {
            isDecimal = true;
            i++;
            SkipDigits(query, ref i);
        }
        if (i < query.Length && query[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < query.Length && query[j] is '+' or '-')
            {
                j++;
            }
            if (j < query.Length && IsDigit(query[j]))
            {
                isDecimal = true;
                i = j;
                SkipDigits(query, ref i);
            }
        }
        if (i < query.Length && (IsNamePart(query[i]) || query[i] == '.'))
        {
            var end = i;
            while (end < query.Length && (IsNamePart(query[end]) || query[end] is '.' or ':'))
            {
                end++;
            }
            throw Errors.At(start, $"invalid number {Errors.Quote(query[start..end])}", "durations, dates and other text values need quotes");
        }
        return new Token(isDecimal ? TokenKind.Decimal : TokenKind.Integer, query[start..i], start);
    }

    private static void SkipDigits(string query, ref int i)
    {
        while (i < query.Length && IsDigit(query[i]))
        {
            i++;
        }
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsNameStart(char c) => c == '_' || char.IsLetter(c);

    private static bool IsNamePart(char c) => c == '_' || char.IsLetterOrDigit(c);
}

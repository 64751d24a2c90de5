using System.Globalization;
using System.Text;

namespace Tempora.Visibility.Query;

/// <summary>
/// The word match of Text search attributes, as the SQLite store runs it (registered as the SQL function
/// <c>tempora_text_match(field, query)</c>). It mirrors what the PostgreSQL query does with
/// <c>to_tsvector('simple', ...) @@ plainto_tsquery('simple', ...)</c> after ASCII punctuation is replaced by spaces:
/// a word is a maximal run of ASCII letters and digits, or of non-ASCII letters, digits and combining marks; words
/// are compared lower-cased (invariant culture); the field matches when it holds every word of the query. Words
/// longer than 2047 UTF-8 bytes are ignored, as PostgreSQL's parser does. Known differences with PostgreSQL: its
/// parser splits a few number-like words ("12e5x" into "12e5" and "x") and uses the database's locale for
/// non-ASCII letters and case.
/// </summary>
public static class TextMatch
{
    /// <summary>PostgreSQL ignores longer words (MAXSTRLEN in its text search parser).</summary>
    internal const int MaxWordBytes = 2047;

    public static bool Matches(string? field, string query)
    {
        if (field is null)
        {
            return false;
        }
        var queryWords = Words(query, lowerCase: true);
        if (queryWords.Count == 0)
        {
            return false;
        }
        var fieldWords = new HashSet<string>(Words(field, lowerCase: true), StringComparer.Ordinal);
        foreach (var word in queryWords)
        {
            if (!fieldWords.Contains(word))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The words of <paramref name="text"/>, in order; too long ones are kept only when asked (to report them).</summary>
    internal static List<string> Words(string text, bool lowerCase, bool keepTooLong = false)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var rune in EnumerateRunes(text))
        {
            if (IsWordRune(rune))
            {
                var r = lowerCase ? Rune.ToLowerInvariant(rune) : rune;
                word.Append(r.ToString());
            }
            else
            {
                Flush();
            }
        }
        Flush();
        return words;

        void Flush()
        {
            if (word.Length > 0)
            {
                var w = word.ToString();
                if (keepTooLong || Encoding.UTF8.GetByteCount(w) <= MaxWordBytes)
                {
                    words.Add(w);
                }
                word.Clear();
            }
        }
    }

    private static IEnumerable<Rune> EnumerateRunes(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                rune = Rune.ReplacementChar; // a lone surrogate: not a letter
            }
            yield return rune;
            i += Math.Max(consumed, 1);
        }
    }

    private static bool IsWordRune(Rune rune)
    {
        if (rune.IsAscii)
        {
            var c = (char)rune.Value;
            return c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9';
        }
        if (rune == Rune.ReplacementChar)
        {
            return false;
        }
        return Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Tempora.Web.Markup;

/// <summary>
/// Interpolated-string handler behind <see cref="Html.Of"/> and <see cref="HtmlWriter.Write"/>: the literal parts of
/// <c>$"&lt;td&gt;{workflowId}&lt;/td&gt;"</c> are written as markup and every hole is HTML-encoded, unless it is an
/// <see cref="Html"/> value. Workflow data therefore cannot become markup by forgetting to encode it.
/// </summary>
[InterpolatedStringHandler]
internal ref struct HtmlHandler
{
    // Every script except the five markup characters stays readable (workflow ids in Cyrillic, emoji in payloads).
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly StringBuilder _builder;

    public HtmlHandler(int literalLength, int formattedCount)
    {
        _builder = new StringBuilder(literalLength + formattedCount * 16);
    }

    public HtmlHandler(int literalLength, int formattedCount, HtmlWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _builder = writer.Builder;
    }

    public readonly void AppendLiteral(string value) => _builder.Append(value);

    public readonly void AppendFormatted(Html value) => _builder.Append(value.Value);

    public readonly void AppendFormatted(string? value) => _builder.Append(Encode(value));

    public readonly void AppendFormatted<T>(T value)
    {
        var text = value switch
        {
            null => null,
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
        _builder.Append(Encode(text));
    }

    public readonly void AppendFormatted<T>(T value, string? format) where T : IFormattable =>
        _builder.Append(Encode(value.ToString(format, CultureInfo.InvariantCulture)));

    internal readonly Html ToHtml() => new(_builder.ToString());

    internal static string Encode(string? text) => string.IsNullOrEmpty(text) ? "" : Encoder.Encode(text);
}

using System.Runtime.CompilerServices;
using System.Text;

namespace Tempora.Web.Markup;

/// <summary>Accumulates one page. <see cref="Write"/> takes an interpolated string whose holes are encoded.</summary>
internal sealed class HtmlWriter
{
    internal StringBuilder Builder { get; } = new(8 * 1024);

    /// <summary>Literal parts as markup, holes encoded (see <see cref="HtmlHandler"/>).</summary>
    public HtmlWriter Write([InterpolatedStringHandlerArgument("")] ref HtmlHandler handler) => this;

    /// <summary>Markup built elsewhere.</summary>
    public HtmlWriter Write(Html html)
    {
        Builder.Append(html.Value);
        return this;
    }

    /// <summary>Text, encoded.</summary>
    public HtmlWriter Text(string? text)
    {
        Builder.Append(HtmlHandler.Encode(text));
        return this;
    }

    public override string ToString() => Builder.ToString();

    public Html ToHtml() => new(Builder.ToString());
}

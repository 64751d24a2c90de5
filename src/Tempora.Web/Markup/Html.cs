namespace Tempora.Web.Markup;

/// <summary>
/// Markup that is already safe to write: built by <see cref="HtmlHandler"/> (whose holes are encoded) or from a
/// literal in this assembly. Anything else that reaches a page is text and gets encoded.
/// </summary>
internal readonly record struct Html(string Value)
{
    public static readonly Html Empty = new("");

    /// <summary>Builds markup from an interpolated string: literal parts are markup, holes are encoded text.</summary>
    public static Html Of(ref HtmlHandler handler) => handler.ToHtml();

    /// <summary>An option's <c> selected</c> attribute when <paramref name="selected"/>, else nothing.</summary>
    public static Html SelectedIf(bool selected) => selected ? new(" selected") : Empty;

    /// <summary>Text, encoded.</summary>
    public static Html Text(string? text) => new(HtmlHandler.Encode(text));

    public override string ToString() => Value;
}

using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Tempora.Web.Markup;
using Temporalio.Api.Common.V1;

namespace Tempora.Web.Rendering;

/// <summary>
/// Payloads as a person reads them: JSON-encoded ones (the default converter's json/plain, and json/protobuf)
/// pretty-printed, null as null, anything else (binary, encrypted by a codec) as its encoding and base64 data.
/// </summary>
internal static class PayloadView
{
    private const int MaxBase64Chars = 4096;

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // HTML encoding happens when the text is written
    };

    public static Html Render(Payloads? payloads)
    {
        if (payloads is null || payloads.Payloads_.Count == 0)
        {
            return Html.Of($"<span class=\"muted\">none</span>");
        }
        if (payloads.Payloads_.Count == 1)
        {
            return Render(payloads.Payloads_[0]);
        }
        var w = new HtmlWriter();
        w.Write($"<ol class=\"payloads\">");
        foreach (var payload in payloads.Payloads_)
        {
            w.Write($"<li>{Render(payload)}</li>");
        }
        return w.Write($"</ol>").ToHtml();
    }

    public static Html Render(Payload payload)
    {
        var (text, note) = Decode(payload);
        return note is null
            ? Html.Of($"<pre class=\"payload\">{text}</pre>")
            : Html.Of($"<pre class=\"payload\">{text}</pre><div class=\"muted small\">{note}</div>");
    }

    /// <summary>The payload's text and, for payloads that are not JSON, a note saying what it is.</summary>
    public static (string Text, string? Note) Decode(Payload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var encoding = payload.Metadata.TryGetValue("encoding", out var e) ? e.ToStringUtf8() : "";
        switch (encoding)
        {
            case "binary/null":
                return ("null", null);
            case "json/plain":
            case "json/protobuf":
                if (TryPrettyJson(payload.Data.Span, out var json))
                {
                    return (json, encoding == "json/protobuf" && payload.Metadata.TryGetValue("messageType", out var type)
                        ? $"protobuf {type.ToStringUtf8()}"
                        : null);
                }
                break;
        }
        var base64 = Convert.ToBase64String(payload.Data.Span);
        var shown = base64.Length > MaxBase64Chars ? base64[..MaxBase64Chars] + "…" : base64;
        return (shown, $"encoding {(encoding.Length == 0 ? "(none)" : encoding)}, {payload.Data.Length} bytes, base64");
    }

    /// <summary>JSON payloads as one compact line (tables, timeline tooltips).</summary>
    public static string Summary(Payloads? payloads, int maxLength = 120)
    {
        if (payloads is null || payloads.Payloads_.Count == 0)
        {
            return "";
        }
        var text = string.Join(", ", payloads.Payloads_.Select(p =>
            Decode(p) is (var t, null) ? CompactJson(t) : "<binary>"));
        return text.Length > maxLength ? text[..maxLength] + "…" : text;
    }

    /// <summary>One payload in brief (a Nexus operation's input and result are single payloads).</summary>
    public static string SummaryOne(Payload? payload, int maxLength = 120) =>
        payload is null ? "" : Summary(new Payloads { Payloads_ = { payload } }, maxLength);

    private static string CompactJson(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, new JsonSerializerOptions { Encoder = Indented.Encoder });
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static bool TryPrettyJson(ReadOnlySpan<byte> data, out string json)
    {
        try
        {
            var reader = new Utf8JsonReader(data);
            using var doc = JsonDocument.ParseValue(ref reader);
            json = JsonSerializer.Serialize(doc.RootElement, Indented);
            return true;
        }
        catch (JsonException)
        {
            json = Encoding.UTF8.GetString(data);
            return false;
        }
    }
}

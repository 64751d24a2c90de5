using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Tempora.Web.Markup;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.TaskQueue.V1;

namespace Tempora.Web.Rendering;

/// <summary>
/// Any API message as a nested definition list of its set fields, so every event type reads without a renderer of
/// its own. Payloads are decoded, failures show their chain, runs and task queues become links.
/// </summary>
internal sealed class ProtoView(string ns)
{
    private const int MaxDepth = 8;

    public Html Render(IMessage message) => Fields(message, 0);

    private Html Fields(IMessage message, int depth)
    {
        var w = new HtmlWriter();
        w.Write($"<dl class=\"fields\">");
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (IsUnset(field, message, value))
            {
                continue;
            }
            w.Write($"<dt>{field.JsonName}</dt><dd>{Value(field, value, depth)}</dd>");
        }
        return w.Write($"</dl>").ToHtml();
    }

    private static bool IsUnset(FieldDescriptor field, IMessage message, object? value)
    {
        if (field.IsMap || field.IsRepeated)
        {
            return value is ICollection { Count: 0 };
        }
        if (field.HasPresence)
        {
            return !field.Accessor.HasValue(message);
        }
        return value switch
        {
            null => true,
            string s => s.Length == 0,
            ByteString b => b.IsEmpty,
            bool b => !b,
            System.Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture) == 0,
            int i => i == 0,
            long l => l == 0,
            uint u => u == 0,
            ulong u => u == 0,
            double d => d == 0,
            float f => f == 0,
            _ => false,
        };
    }

    private Html Value(FieldDescriptor field, object? value, int depth)
    {
        if (field.IsMap && value is IDictionary map)
        {
            var w = new HtmlWriter();
            w.Write($"<dl class=\"fields\">");
            foreach (DictionaryEntry entry in map)
            {
                w.Write($"<dt>{entry.Key?.ToString()}</dt><dd>{Single(entry.Value, depth + 1)}</dd>");
            }
            return w.Write($"</dl>").ToHtml();
        }
        if (field.IsRepeated && value is IList list)
        {
            var w = new HtmlWriter();
            w.Write($"<ol class=\"list\">");
            foreach (var item in list)
            {
                w.Write($"<li>{Single(item, depth + 1)}</li>");
            }
            return w.Write($"</ol>").ToHtml();
        }
        return Single(value, depth);
    }

    private Html Single(object? value, int depth) => value switch
    {
        null => Html.Empty,
        Payloads payloads => PayloadView.Render(payloads),
        Payload payload => PayloadView.Render(payload),
        Failure failure => FailureView.Render(failure),
        Timestamp timestamp => Format.Time(timestamp),
        Duration duration => Html.Text(Format.Duration(duration)),
        WorkflowExecution { RunId.Length: > 0 } run =>
            Html.Of($"<a href=\"{Format.RunUrl(ns, run.WorkflowId, run.RunId)}\">{run.WorkflowId}</a> <span class=\"muted mono\">{run.RunId}</span>"),
        WorkflowType type => Html.Text(type.Name),
        ActivityType type => Html.Text(type.Name),
        TaskQueue queue => Html.Of($"<a href=\"{Format.TaskQueueUrl(ns, queue.NormalName.Length > 0 ? queue.NormalName : queue.Name)}\">{queue.Name}</a>"),
        Memo memo => Map(memo.Fields),
        SearchAttributes attributes => Map(attributes.IndexedFields),
        Header header => Map(header.Fields),
        IMessage message when depth < MaxDepth => Fields(message, depth + 1),
        ByteString bytes => Html.Of($"<span class=\"mono\">{Convert.ToBase64String(bytes.Span)}</span>"),
        _ => Html.Text(value.ToString()),
    };

    private static Html Map(IDictionary<string, Payload> fields)
    {
        if (fields.Count == 0)
        {
            return Html.Of($"<span class=\"muted\">none</span>");
        }
        var w = new HtmlWriter();
        w.Write($"<dl class=\"fields\">");
        foreach (var (key, payload) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            w.Write($"<dt>{key}</dt><dd>{PayloadView.Render(payload)}</dd>");
        }
        return w.Write($"</dl>").ToHtml();
    }

    /// <summary>Memo or search attributes as a definition list (summary section).</summary>
    public static Html PayloadMap(IDictionary<string, Payload> fields) => Map(fields);
}

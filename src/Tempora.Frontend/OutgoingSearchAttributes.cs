using Google.Protobuf;
using Tempora.Persistence;
using Tempora.Visibility.Query;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace Tempora.Frontend;

/// <summary>
/// Gives every search attribute value the frontend returns the <c>type</c> metadata naming its registered type, as
/// Temporal's frontend and history do on the way out (searchattribute.ApplyTypeMap): an SDK that sent an untyped
/// value (the TypeScript SDK's legacy <c>searchAttributes</c>) cannot otherwise read it back as a typed attribute, and
/// reads a Datetime as a string. A value that already names a type, or whose name is not registered, is left alone.
/// What is stored is never changed: history events and run state are shared with the server's caches, so an event or a
/// set of attributes that needs the metadata is copied first.
/// </summary>
internal static class OutgoingSearchAttributes
{
    private const string TypeKey = "type";

    /// <summary>A copy of <paramref name="attributes"/> with every known untyped value typed, or the same object when none needs it.</summary>
    public static SearchAttributes? Typed(SearchAttributes? attributes, NamespaceRecord ns)
    {
        if (!NeedsTypes(attributes, ns))
        {
            return attributes;
        }
        var copy = attributes!.Clone();
        TypeInPlace(copy, ns);
        return copy;
    }

    /// <summary>Replaces each event of <paramref name="history"/> carrying untyped search attributes by a typed copy.</summary>
    public static void Type(Temporalio.Api.History.V1.History? history, NamespaceRecord ns)
    {
        if (history is null)
        {
            return;
        }
        var events = history.Events;
        for (var i = 0; i < events.Count; i++)
        {
            if (NeedsTypes(AttributesOf(events[i]), ns))
            {
                var copy = events[i].Clone();
                TypeInPlace(AttributesOf(copy)!, ns);
                events[i] = copy;
            }
        }
    }

    private static bool NeedsTypes(SearchAttributes? attributes, NamespaceRecord ns) =>
        attributes is not null && attributes.IndexedFields.Any(field => TypeFor(field.Key, field.Value, ns) is not null);

    private static void TypeInPlace(SearchAttributes attributes, NamespaceRecord ns)
    {
        foreach (var (name, payload) in attributes.IndexedFields)
        {
            if (TypeFor(name, payload, ns) is { } type)
            {
                payload.Metadata[TypeKey] = ByteString.CopyFromUtf8(type.ToString());
            }
        }
    }

    /// <summary>The events whose search attributes Temporal types on the way out (history/api/get_history_util.go).</summary>
    private static SearchAttributes? AttributesOf(HistoryEvent e) => e.EventType switch
    {
        EventType.WorkflowExecutionStarted => e.WorkflowExecutionStartedEventAttributes.SearchAttributes,
        EventType.WorkflowExecutionContinuedAsNew => e.WorkflowExecutionContinuedAsNewEventAttributes.SearchAttributes,
        EventType.StartChildWorkflowExecutionInitiated => e.StartChildWorkflowExecutionInitiatedEventAttributes.SearchAttributes,
        EventType.UpsertWorkflowSearchAttributes => e.UpsertWorkflowSearchAttributesEventAttributes.SearchAttributes,
        _ => null,
    };

    private static SearchAttributeType? TypeFor(string name, Payload payload, NamespaceRecord ns)
    {
        if (payload.Metadata.ContainsKey(TypeKey))
        {
            return null;
        }
        return ns.CustomSearchAttributes.TryGetValue(name, out var custom) ? custom
            : ListFilter.SystemAttributes.TryGetValue(name, out var system) ? system
            : null;
    }
}

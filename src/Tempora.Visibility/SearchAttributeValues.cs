using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Tempora.Core.Errors;
using Tempora.Core.Validation;
using Tempora.Visibility.Query;
using Temporalio.Api.Common.V1;

namespace Tempora.Visibility;

/// <summary>
/// Search attribute values as the SDKs send them (one JSON payload per name) checked against the namespace's
/// registered types, and turned into the visibility row's JSON object.
/// </summary>
public static class SearchAttributeValues
{
    /// <summary>Attributes users may set: the namespace's custom ones and the predefined non-column ones (TemporalChangeVersion …).</summary>
    public static SearchAttributeType? TypeOf(string name, IReadOnlyDictionary<string, SearchAttributeType> custom) =>
        custom.TryGetValue(name, out var type) ? type
        : ListFilter.SystemAttributes.TryGetValue(name, out var system) && !IsColumn(name) ? system
        : null;

    /// <summary>System attributes kept in their own columns; the server sets them, users cannot.</summary>
    public static bool IsColumn(string name) => name is "WorkflowId" or "RunId" or "WorkflowType" or "ExecutionStatus" or "StartTime"
        or "ExecutionTime" or "CloseTime" or "TaskQueue" or "HistoryLength" or "HistorySizeBytes" or "ExecutionDuration"
        or "StateTransitionCount" or "ParentWorkflowId" or "ParentRunId" or "RootWorkflowId" or "RootRunId";

    /// <summary>The problem with the attributes, or null when every name is known and every value has its type.</summary>
    public static string? Problem(SearchAttributes? attributes, IReadOnlyDictionary<string, SearchAttributeType> custom)
    {
        if (attributes is null)
        {
            return null;
        }
        foreach (var (name, payload) in attributes.IndexedFields)
        {
            if (TypeOf(name, custom) is not { } type)
            {
                return $"Search attribute {name} is not defined in this namespace; add it with OperatorService.AddSearchAttributes (temporal operator search-attribute create).";
            }
            using var value = Decode(payload);
            if (value is not null && Unstorable(value.RootElement) is { } unstorable)
            {
                return $"Invalid value for search attribute {name} of type {type}: a string {unstorable}; strings must be valid Unicode and may not contain NUL characters.";
            }
            if (value is not null && !Fits(Element(value.RootElement, type), type))
            {
                return $"Invalid value for search attribute {name} of type {type}: {Encoding.UTF8.GetString(payload.Data.Span)}";
            }
        }
        return null;
    }

    /// <summary>Throws InvalidArgument (start, signal-with-start) when <see cref="Problem"/> finds one.</summary>
    public static void Validate(SearchAttributes? attributes, IReadOnlyDictionary<string, SearchAttributeType> custom)
    {
        if (Problem(attributes, custom) is { } problem)
        {
            throw new InvalidArgumentException(problem);
        }
    }

    /// <summary>The visibility row's JSON object, or null when the run has none.</summary>
    public static string? ToJson(SearchAttributes? attributes, IReadOnlyDictionary<string, SearchAttributeType> custom)
    {
        if (attributes is null || attributes.IndexedFields.Count == 0)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (name, payload) in attributes.IndexedFields.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                if (TypeOf(name, custom) is not { } type || Decode(payload) is not { } doc)
                {
                    continue; // deleted (null/empty) or no longer registered
                }
                using (doc)
                {
                    var value = Element(doc.RootElement, type);
                    if (!Fits(value, type))
                    {
                        continue;
                    }
                    json.WritePropertyName(name);
                    WriteValue(json, value, type);
                }
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The payload's JSON, or null for the deletion markers (no data, JSON null, empty list).</summary>
    private static JsonDocument? Decode(Payload payload)
    {
        if (payload.Data.IsEmpty)
        {
            return null;
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(payload.Data.Memory);
        }
        catch (JsonException)
        {
            throw new InvalidArgumentException("Search attribute values must be JSON payloads.");
        }
        if (doc.RootElement.ValueKind == JsonValueKind.Null || doc.RootElement is { ValueKind: JsonValueKind.Array } a && a.GetArrayLength() == 0)
        {
            doc.Dispose();
            return null;
        }
        return doc;
    }

    /// <summary>
    /// The value a scalar attribute holds: a one-element JSON list counts as its element, as untyped SDK search
    /// attributes send every value as a list (the TypeScript SDK's <c>[3]</c>). Temporal's SQL visibility stores decode
    /// it so and refuse longer lists (common/searchattribute/encode_value.go decodeValueTyped, allowList false); a
    /// longer list is returned as is and fails <see cref="Fits"/>.
    /// </summary>
    private static JsonElement Element(JsonElement value, SearchAttributeType type) =>
        type != SearchAttributeType.KeywordList && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 1 ? value[0] : value;

    /// <summary>
    /// What makes a string in the value unstorable (<see cref="StorableStrings"/>), or null: the visibility row's jsonb
    /// refuses "\u0000", and on PostgreSQL such a row once blocked the visibility outbox for every namespace.
    /// </summary>
    private static string? Unstorable(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    return StorableStrings.Problem(value.GetString()!);
                }
                catch (InvalidOperationException)
                {
                    return "contains an unpaired UTF-16 surrogate"; // an escaped lone surrogate ("\ud800") has no string form
                }
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (Unstorable(item) is { } problem)
                    {
                        return problem;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static bool Fits(JsonElement value, SearchAttributeType type) => type switch
    {
        SearchAttributeType.Keyword or SearchAttributeType.Text => value.ValueKind == JsonValueKind.String,
        SearchAttributeType.Int => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        SearchAttributeType.Double => value.ValueKind == JsonValueKind.Number,
        SearchAttributeType.Bool => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        SearchAttributeType.Datetime => value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _),
        SearchAttributeType.KeywordList => value.ValueKind == JsonValueKind.String
            || (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String)),
        _ => false,
    };

    private static void WriteValue(Utf8JsonWriter json, JsonElement value, SearchAttributeType type)
    {
        switch (type)
        {
            case SearchAttributeType.Datetime:
                var time = DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();
                json.WriteStringValue(time.ToString(VisibilityRecord.SearchAttributeDatetimeFormat, CultureInfo.InvariantCulture));
                break;
            case SearchAttributeType.KeywordList when value.ValueKind == JsonValueKind.String:
                json.WriteStartArray();
                json.WriteStringValue(value.GetString());
                json.WriteEndArray();
                break;
            default:
                value.WriteTo(json);
                break;
        }
    }

    /// <summary>A typed payload for output (list results, GROUP BY values): JSON data with Temporal's `type` metadata.</summary>
    public static Payload Typed(string json, SearchAttributeType type) => new()
    {
        Metadata =
        {
            ["encoding"] = ByteString.CopyFromUtf8("json/plain"),
            ["type"] = ByteString.CopyFromUtf8(type.ToString()),
        },
        Data = ByteString.CopyFromUtf8(json),
    };
}

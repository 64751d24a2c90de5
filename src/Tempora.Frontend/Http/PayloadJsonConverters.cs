using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Google.Protobuf;
using Temporalio.Api.Common.V1;

namespace Tempora.Frontend.Http;

/// <summary>
/// Temporal's HTTP API writes and reads payloads in a "shorthand": a json/plain payload is its JSON
/// value, a json/protobuf one its object plus <c>_protoMessageType</c>, and Payloads an array of those; anything else
/// keeps the protobuf JSON form (base64 metadata and data). <c>?noPayloadShorthand</c> turns it off for a request.
/// Behaviour read from go.temporal.io/api common/v1/payload_json.go (v1.50.1).
/// </summary>
internal static class PayloadShorthand
{
    private static readonly AsyncLocal<bool> DisabledForRequest = new();

    public static bool Enabled => !DisabledForRequest.Value;

    public static void Disable() => DisabledForRequest.Value = true;

    private const string MessageTypeKey = "_protoMessageType";
    private static readonly string BinaryNullBase64 = Convert.ToBase64String("binary/null"u8);

    /// <summary>The shorthand of a payload, or false when it has none (then the standard form is written).</summary>
    public static bool TryShorthand(Payload payload, out JsonNode? value)
    {
        value = null;
        var encoding = payload.Metadata.TryGetValue("encoding", out var e) ? e.ToStringUtf8() : "";
        switch (encoding)
        {
            case "binary/null":
                value = new JsonObject { ["metadata"] = new JsonObject { ["encoding"] = BinaryNullBase64 } };
                return true;
            case "json/plain" when payload.Metadata.Count == 1:
                value = JsonNode.Parse(payload.Data.Span);
                return true;
            case "json/protobuf" when payload.Metadata.Count == 2 && payload.Metadata.TryGetValue("messageType", out var type):
                var obj = JsonNode.Parse(payload.Data.Span)!.AsObject();
                obj[MessageTypeKey] = type.ToStringUtf8();
                value = obj;
                return true;
            default:
                return false;
        }
    }

    public static void WriteStandard(Utf8JsonWriter writer, Payload payload)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("metadata");
        foreach (var (key, bytes) in payload.Metadata)
        {
            writer.WriteBase64String(key, bytes.Span);
        }
        writer.WriteEndObject();
        if (!payload.Data.IsEmpty)
        {
            writer.WriteBase64String("data", payload.Data.Span);
        }
        writer.WriteEndObject();
    }

    /// <summary>Reads one payload as Temporal does: the standard form when it is exactly that, else a shorthand.</summary>
    public static Payload Read(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            if (TryStandard(obj) is { } standard)
            {
                return standard;
            }
            if (obj[MessageTypeKey] is JsonValue typeValue && typeValue.TryGetValue<string>(out var messageType))
            {
                var copy = obj.DeepClone().AsObject();
                copy.Remove(MessageTypeKey);
                return Make(copy.ToJsonString(), ("encoding", "json/protobuf"), ("messageType", messageType));
            }
        }
        if (node is null)
        {
            return Make(null, ("encoding", "binary/null"));
        }
        return Make(node.ToJsonString(), ("encoding", "json/plain"));
    }

    private static Payload? TryStandard(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject metadata || !metadata.ContainsKey("encoding"))
        {
            return null;
        }
        var hasData = obj.ContainsKey("data");
        if (!hasData && obj.Count == 1 && metadata["encoding"] is JsonValue v && v.TryGetValue<string>(out var enc) && enc == BinaryNullBase64)
        {
            return Make(null, ("encoding", "binary/null"));
        }
        if (!hasData || obj.Count != 2 || obj["data"] is not JsonValue dataValue || !dataValue.TryGetValue<string>(out var data)
            || Base64(data) is not { } dataBytes)
        {
            return null;
        }
        var payload = new Payload { Data = ByteString.CopyFrom(dataBytes) };
        foreach (var (key, value) in metadata)
        {
            if (value is not JsonValue s || !s.TryGetValue<string>(out var text) || Base64(text) is not { } bytes)
            {
                return null;
            }
            payload.Metadata[key] = ByteString.CopyFrom(bytes);
        }
        return payload;
    }

    private static byte[]? Base64(string text)
    {
        // protojson accepts standard and URL-safe base64, padded or not.
        var normal = text.Replace('-', '+').Replace('_', '/');
        normal = normal.PadRight(normal.Length + (4 - normal.Length % 4) % 4, '=');
        var buffer = new byte[normal.Length];
        return Convert.TryFromBase64String(normal, buffer, out var written) ? buffer[..written] : null;
    }

    private static Payload Make(string? json, params (string Key, string Value)[] metadata)
    {
        var payload = new Payload();
        if (json is not null)
        {
            payload.Data = ByteString.CopyFrom(Encoding.UTF8.GetBytes(json));
        }
        foreach (var (key, value) in metadata)
        {
            payload.Metadata[key] = ByteString.CopyFromUtf8(value);
        }
        return payload;
    }
}

/// <summary>Temporal's JSON for <see cref="Payload"/>.</summary>
internal sealed class PayloadJsonConverter : JsonConverter<Payload>
{
    public override Payload Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var node = JsonNode.Parse(ref reader);
        if (!PayloadShorthand.Enabled)
        {
            return JsonParser.Default.Parse<Payload>(node?.ToJsonString() ?? "null");
        }
        return PayloadShorthand.Read(node);
    }

    public override void Write(Utf8JsonWriter writer, Payload value, JsonSerializerOptions options)
    {
        if (PayloadShorthand.Enabled && PayloadShorthand.TryShorthand(value, out var node))
        {
            node!.WriteTo(writer);
            return;
        }
        PayloadShorthand.WriteStandard(writer, value);
    }
}

/// <summary>Temporal's JSON for <see cref="Payloads"/> (an array when every payload has a shorthand).</summary>
internal sealed class PayloadsJsonConverter : JsonConverter<Payloads>
{
    public override Payloads Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var node = JsonNode.Parse(ref reader);
        var payloads = new Payloads();
        if (PayloadShorthand.Enabled && node is JsonArray array)
        {
            payloads.Payloads_.AddRange(array.Select(PayloadShorthand.Read));
            return payloads;
        }
        if (node is JsonObject obj && obj["payloads"] is JsonArray items)
        {
            var converter = new PayloadJsonConverter();
            foreach (var item in items)
            {
                var itemReader = new Utf8JsonReader(Encoding.UTF8.GetBytes(item?.ToJsonString() ?? "null"));
                itemReader.Read();
                payloads.Payloads_.Add(converter.Read(ref itemReader, typeof(Payload), options));
            }
        }
        return payloads;
    }

    public override void Write(Utf8JsonWriter writer, Payloads value, JsonSerializerOptions options)
    {
        if (PayloadShorthand.Enabled)
        {
            var nodes = new List<JsonNode?>();
            foreach (var payload in value.Payloads_)
            {
                if (!PayloadShorthand.TryShorthand(payload, out var node))
                {
                    nodes = null;
                    break;
                }
                nodes.Add(node);
            }
            if (nodes is not null)
            {
                writer.WriteStartArray();
                foreach (var node in nodes)
                {
                    node!.WriteTo(writer);
                }
                writer.WriteEndArray();
                return;
            }
        }
        writer.WriteStartObject();
        writer.WriteStartArray("payloads");
        var single = new PayloadJsonConverter();
        foreach (var payload in value.Payloads_)
        {
            single.Write(writer, payload, options);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}

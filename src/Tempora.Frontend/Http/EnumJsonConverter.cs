using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf.Reflection;

namespace Tempora.Frontend.Http;

/// <summary>
/// Temporal's JSON reads an enum by its proto name (WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE), by
/// the older CamelCase short form (RejectDuplicate) or by number, and writes the proto name
/// (go.temporal.io/api internal/protojson/json_unmarshal.go unmarshalEnum).
/// </summary>
internal sealed class EnumJsonConverter<TEnum>(EnumDescriptor descriptor) : JsonConverter<TEnum> where TEnum : struct, Enum
{
    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return (TEnum)Enum.ToObject(typeof(TEnum), reader.GetInt32());
        }
        var text = reader.GetString() ?? "";
        var value = EnumNames.Find(descriptor, text) ?? throw new JsonException($"invalid value for enum {descriptor.FullName}: {text}");
        return (TEnum)Enum.ToObject(typeof(TEnum), value.Number);
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
    {
        var number = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
        if (descriptor.FindValueByNumber(number) is { } known)
        {
            writer.WriteStringValue(known.Name);
        }
        else
        {
            writer.WriteNumberValue(number);
        }
    }
}

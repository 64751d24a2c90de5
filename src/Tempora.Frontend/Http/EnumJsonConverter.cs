using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf.Reflection;

namespace Tempora.Frontend.Http;

/// <summary>
/// SPIKE (issue 23). Temporal's JSON reads an enum by its proto name (WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE), by
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
        var value = descriptor.FindValueByName(text) ?? descriptor.FindValueByName(ScreamingSnake(descriptor.Name + "_" + text))
            ?? throw new JsonException($"invalid value for enum {descriptor.FullName}: {text}");
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

    /// <summary>WorkflowIdReusePolicy_RejectDuplicate → WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE.</summary>
    private static string ScreamingSnake(string name)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var boundary = i > 0 && char.IsUpper(c) && name[i - 1] != '_'
                && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])));
            if (boundary)
            {
                builder.Append('_');
            }
            builder.Append(char.ToUpperInvariant(c));
        }
        return builder.ToString();
    }
}

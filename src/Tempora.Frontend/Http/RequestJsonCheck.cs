using System.Text.Json;
using Google.Protobuf.Reflection;
using Temporalio.Api.Common.V1;

namespace Tempora.Frontend.Http;

/// <summary>
/// Finds the first member of a request body that is no field of its message, or an enum value that is no name of its
/// enum. Temporal's protojson refuses those naming them; JSON transcoding would skip an unknown field or refuse both
/// without a name, so the body is looked through against the message descriptor first. Payloads (shorthand: any JSON) and google.protobuf's well-known types (their
/// own JSON forms) are not looked into.
/// </summary>
internal static class RequestJsonCheck
{
    public static Problem? Find(JsonElement element, MessageDescriptor message) => Find(element, message, "");

    /// <summary>The first refused member: its path in the body and the message that names it.</summary>
    internal sealed record Problem(string Path, string Message);

    private static Problem? Find(JsonElement element, MessageDescriptor message, string path)
    {
        if (element.ValueKind != JsonValueKind.Object || Opaque(message))
        {
            return null;
        }
        foreach (var member in element.EnumerateObject())
        {
            var field = message.FindFieldByName(member.Name) ?? message.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == member.Name);
            var name = path + member.Name;
            if (field is null)
            {
                return new Problem(name, $"unknown field \"{name}\" in {message.FullName}");
            }
            if (field.FieldType == FieldType.Enum)
            {
                if (BadEnum(member.Value, field.EnumType) is { } bad)
                {
                    return new Problem(name, $"invalid value for enum {field.EnumType.FullName} in field \"{name}\": {bad}");
                }
                continue;
            }
            if (field.FieldType != FieldType.Message || member.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }
            var found = field switch
            {
                { IsMap: true } when field.MessageType.FindFieldByNumber(2) is { FieldType: FieldType.Message } value
                    && member.Value.ValueKind == JsonValueKind.Object =>
                    member.Value.EnumerateObject().Select(e => Find(e.Value, value.MessageType, $"{name}.{e.Name}.")).FirstOrDefault(f => f is not null),
                { IsMap: true } => null,
                { IsRepeated: true } when member.Value.ValueKind == JsonValueKind.Array =>
                    member.Value.EnumerateArray().Select((e, i) => Find(e, field.MessageType, $"{name}[{i}].")).FirstOrDefault(f => f is not null),
                _ => Find(member.Value, field.MessageType, name + "."),
            };
            if (found is not null)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>The text of an enum value no name, short CamelCase name or number of <paramref name="type"/> matches (repeated: each item).</summary>
    private static string? BadEnum(JsonElement value, EnumDescriptor type) => value.ValueKind switch
    {
        JsonValueKind.Array => value.EnumerateArray().Select(v => BadEnum(v, type)).FirstOrDefault(b => b is not null),
        JsonValueKind.String when EnumNames.Find(type, value.GetString()!) is null => value.GetString(),
        _ => null,
    };

    private static bool Opaque(MessageDescriptor message) =>
        message.File.Package == "google.protobuf" || message == Payload.Descriptor || message == Payloads.Descriptor;
}

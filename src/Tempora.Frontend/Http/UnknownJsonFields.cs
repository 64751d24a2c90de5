using System.Text.Json;
using Google.Protobuf.Reflection;
using Temporalio.Api.Common.V1;

namespace Tempora.Frontend.Http;

/// <summary>
/// Finds the first member of a request body that is no field of its message. Temporal's protojson refuses an unknown
/// field naming it; JSON transcoding would either skip it or refuse it without a name, so the body is looked through
/// against the message descriptor first. Payloads (shorthand: any JSON) and google.protobuf's well-known types (their
/// own JSON forms) are not looked into.
/// </summary>
internal static class UnknownJsonFields
{
    public static string? Find(JsonElement element, MessageDescriptor message) => Find(element, message, "");

    private static string? Find(JsonElement element, MessageDescriptor message, string path)
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
                return name;
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

    private static bool Opaque(MessageDescriptor message) =>
        message.File.Package == "google.protobuf" || message == Payload.Descriptor || message == Payloads.Descriptor;
}

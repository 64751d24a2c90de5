using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;

namespace Tempora.Frontend.Http;

/// <summary>
/// SPIKE (issue 23). Makes JSON transcoding's JSON closer to Temporal's (protojson through go.temporal.io/api's
/// temporalproto): defaults omitted, 64-bit integers as strings, Temporal's error details resolvable as Any, unknown
/// fields refused, and the payload shorthand. The last two have no public option: they go into the library's internal
/// serializer options, reached by reflection before first use — version-dependent, which is the spike's finding.
/// </summary>
internal static class HttpApiJson
{
    public static void Configure(GrpcJsonTranscodingOptions options)
    {
        options.TypeRegistry = TypeRegistry.FromFiles(TemporalFiles().ToArray());
        options.JsonSettings.IgnoreDefaultValues = true;
        options.JsonSettings.WriteInt64sAsStrings = true;
    }

    /// <summary>Runs after every Configure (the library sets its descriptor registry there), then freezes nothing.</summary>
    public static void PostConfigure(GrpcJsonTranscodingOptions options)
    {
        var property = typeof(GrpcJsonTranscodingOptions).GetProperty("UnarySerializerOptions", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("GrpcJsonTranscodingOptions.UnarySerializerOptions is gone; the HTTP API's JSON hook needs updating.");
        var json = (JsonSerializerOptions)property.GetValue(options)!;
        // Temporal's protojson refuses an unknown field (DiscardUnknown is off); the library skips it silently.
        // The library's resolver builds every message's properties itself, ignoring options.Converters, so the payload
        // converters come in as a resolver of their own, asked first.
        json.TypeInfoResolver = JsonTypeInfoResolver.Combine(new PayloadResolver(), json.TypeInfoResolver!).WithAddedModifier(info =>
        {
            if (info.Kind == JsonTypeInfoKind.Object)
            {
                info.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            }
        });
    }

    private static IEnumerable<FileDescriptor> TemporalFiles() =>
        typeof(Temporalio.Api.Common.V1.Payload).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("Temporalio.Api", StringComparison.Ordinal) == true && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null))
            .OfType<FileDescriptor>();

    private sealed class PayloadResolver : IJsonTypeInfoResolver
    {
        private static readonly Dictionary<Type, EnumDescriptor> Enums = TemporalFiles()
            .SelectMany(f => f.EnumTypes.Concat(f.MessageTypes.SelectMany(Nested)))
            .Where(e => e.ClrType is not null)
            .GroupBy(e => e.ClrType).ToDictionary(g => g.Key, g => g.First());

        private static IEnumerable<EnumDescriptor> Nested(MessageDescriptor m) => m.EnumTypes.Concat(m.NestedTypes.SelectMany(Nested));

        private static readonly MethodInfo EnumInfoDefinition =
            typeof(PayloadResolver).GetMethod(nameof(EnumInfo), BindingFlags.NonPublic | BindingFlags.Static)!;

        public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options) =>
            type == typeof(Temporalio.Api.Common.V1.Payload) ? JsonMetadataServices.CreateValueInfo<Temporalio.Api.Common.V1.Payload>(options, new PayloadJsonConverter())
            : type == typeof(Temporalio.Api.Common.V1.Payloads) ? JsonMetadataServices.CreateValueInfo<Temporalio.Api.Common.V1.Payloads>(options, new PayloadsJsonConverter())
            : Enums.TryGetValue(type, out var descriptor) ? (JsonTypeInfo)EnumInfoDefinition.MakeGenericMethod(type).Invoke(null, [options, descriptor])!
            : null;

        private static JsonTypeInfo EnumInfo<TEnum>(JsonSerializerOptions options, EnumDescriptor descriptor) where TEnum : struct, Enum =>
            JsonMetadataServices.CreateValueInfo<TEnum>(options, new EnumJsonConverter<TEnum>(descriptor));
    }
}

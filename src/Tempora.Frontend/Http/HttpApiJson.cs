using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;

namespace Tempora.Frontend.Http;

/// <summary>
/// Makes JSON transcoding's JSON Temporal's (protojson through go.temporal.io/api's temporalproto): defaults omitted,
/// 64-bit integers as strings, Temporal's error details resolvable as Any, enums by full name out and by full name,
/// CamelCase short form or number in, and the payload shorthand. The last two have no public option: they go into the
/// library's internal serializer options, reached by reflection; <see cref="Verify"/> fails the start-up loudly when a
/// new version of the library no longer takes them.
/// </summary>
internal static class HttpApiJson
{
    public static void Configure(GrpcJsonTranscodingOptions options)
    {
        options.TypeRegistry = TypeRegistry.FromFiles(TemporalFiles().ToArray());
        options.JsonSettings.IgnoreDefaultValues = true;
        options.JsonSettings.WriteInt64sAsStrings = true;
    }

    /// <summary>Runs after every Configure (the library sets its descriptor registry there).</summary>
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

    /// <summary>
    /// The start-up self-check of the reflection hook: the library's own serializer must write and read Temporal's
    /// forms, else the HTTP API would quietly answer in the library's default JSON.
    /// </summary>
    public static void Verify(GrpcJsonTranscodingOptions options)
    {
        const string Hint = "Microsoft.AspNetCore.Grpc.JsonTranscoding's internals changed; Tempora's HTTP API JSON hook (Http/HttpApiJson.cs) needs updating";
        var property = typeof(GrpcJsonTranscodingOptions).GetProperty("UnarySerializerOptions", BindingFlags.NonPublic | BindingFlags.Instance);
        if (property?.GetValue(options) is not JsonSerializerOptions json)
        {
            throw new InvalidOperationException($"{Hint}: GrpcJsonTranscodingOptions.UnarySerializerOptions is gone.");
        }
        var sample = new Temporalio.Api.WorkflowService.V1.SignalWorkflowExecutionRequest
        {
            Input = new Temporalio.Api.Common.V1.Payloads { Payloads_ = { JsonPlain } },
        };
        var written = JsonSerializer.Serialize(sample, json);
        var policy = JsonSerializer.Deserialize<Temporalio.Api.Enums.V1.WorkflowIdReusePolicy>("\"RejectDuplicate\"", json);
        if (written != """{"input":[42]}""" || policy != Temporalio.Api.Enums.V1.WorkflowIdReusePolicy.RejectDuplicate)
        {
            throw new InvalidOperationException($"{Hint}: the payload shorthand or enum converters are not used (wrote {written}).");
        }
    }

    private static readonly Temporalio.Api.Common.V1.Payload JsonPlain = new()
    {
        Metadata = { ["encoding"] = Google.Protobuf.ByteString.CopyFromUtf8("json/plain") },
        Data = Google.Protobuf.ByteString.CopyFromUtf8("42"),
    };

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

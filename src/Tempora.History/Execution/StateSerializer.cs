using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;
using Tempora.Persistence;

namespace Tempora.History.Execution;

/// <summary>
/// Mutable state is stored as JSON; protobuf members inside it are written as base64 of their binary form, so the
/// API's messages round-trip exactly (unknown fields included) without a hand-written schema for each.
/// </summary>
internal static class StateSerializer
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new ProtobufConverterFactory() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Serialize(MutableState state) => JsonSerializer.SerializeToUtf8Bytes(state, Options);

    public static MutableState Deserialize(byte[] data) => DeserializeValue<MutableState>(data);

    public static byte[] SerializeValue<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>Reads back what <see cref="SerializeValue{T}"/> wrote; bytes that do not parse are a damaged row.</summary>
    public static T DeserializeValue<T>(byte[] data)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(data, Options) ?? throw new CorruptDataException($"Stored {typeof(T).Name} is empty.");
        }
        catch (Exception e) when (e is JsonException or InvalidProtocolBufferException or NotSupportedException)
        {
            throw new CorruptDataException($"Stored {typeof(T).Name} does not parse: {e.Message}", e);
        }
    }

    private sealed class ProtobufConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeof(IMessage).IsAssignableFrom(typeToConvert);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(ProtobufConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class ProtobufConverter<T> : JsonConverter<T> where T : IMessage<T>, new()
    {
        private static readonly MessageParser<T> Parser = new(() => new T());

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Parser.ParseFrom(reader.GetBytesFromBase64());

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteBase64StringValue(value.ToByteArray());
    }
}

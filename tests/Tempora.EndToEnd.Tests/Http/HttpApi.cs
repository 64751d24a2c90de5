using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Tempora.EndToEnd.Tests.Http;

/// <summary>An answer of the HTTP API: its status, body and the body as JSON (null when it is none).</summary>
internal sealed record HttpAnswer(HttpStatusCode Status, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The google.rpc.Status code of an error body.</summary>
    public int Code => Json.GetProperty("code").GetInt32();

    public string Message => Json.GetProperty("message").GetString()!;

    /// <summary>The body read as <typeparamref name="T"/> by Google.Protobuf's own protojson reader (unknown fields refused).</summary>
    public T As<T>() where T : IMessage<T>, new() => HttpApi.Parser.Parse<T>(Body);

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>A real HttpClient to a server's HTTP API port.</summary>
internal sealed class HttpApi(HttpClient client) : IDisposable
{
    /// <summary>Every Temporalio message, so Any details (the error details) can be read.</summary>
    public static readonly TypeRegistry Types = TypeRegistry.FromFiles(typeof(Temporalio.Api.Common.V1.Payload).Assembly.GetTypes()
        .Where(t => t.Namespace?.StartsWith("Temporalio.Api", StringComparison.Ordinal) == true && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
        .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null))
        .OfType<FileDescriptor>().ToArray());

    public static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithTypeRegistry(Types).WithIgnoreUnknownFields(false));

    public static HttpApi For(string address, HttpMessageHandler? handler = null, string scheme = "http") =>
        new(new HttpClient(handler ?? new HttpClientHandler()) { BaseAddress = new Uri($"{scheme}://{address}"), Timeout = TimeSpan.FromSeconds(60) });

    public HttpClient Client => client;

    public Task<HttpAnswer> GetAsync(string path, Action<HttpRequestMessage>? configure = null) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), configure);

    public Task<HttpAnswer> PostAsync(string path, string json, Action<HttpRequestMessage>? configure = null, string contentType = "application/json") =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, contentType) }, configure);

    public async Task<HttpAnswer> SendAsync(HttpRequestMessage request, Action<HttpRequestMessage>? configure = null)
    {
        using (request)
        {
            configure?.Invoke(request);
            using var response = await client.SendAsync(request);
            return new HttpAnswer(response.StatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    public void Dispose() => client.Dispose();
}

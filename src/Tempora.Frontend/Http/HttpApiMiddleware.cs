using System.Text.Json;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;

namespace Tempora.Frontend.Http;

/// <summary>
/// What Temporal's HTTP API server does around grpc-gateway (service/frontend/http_api_server.go), on the HTTP API port
/// only: Status bodies for an unknown route or method, the 4 MiB body limit, JSON bodies only, unknown fields refused
/// by name, headers to metadata, and the per-request output options (<c>?pretty</c>, <c>?noPayloadShorthand</c>).
/// Runs after routing (<see cref="HttpApiPortPolicy"/> has kept only HTTP API routes as candidates on this port).
/// </summary>
internal sealed class HttpApiMiddleware(RequestDelegate next, HttpApiSettings settings)
{
    /// <summary>rpc.MaxHTTPAPIRequestBytes.</summary>
    public const int MaxRequestBytes = 4 * 1024 * 1024;

    private const string MetadataPrefix = "Grpc-Metadata-";

    public async Task InvokeAsync(HttpContext context)
    {
        if (settings.Port() is not { } port || context.Connection.LocalPort != port)
        {
            await next(context);
            return;
        }
        var endpoint = context.GetEndpoint();
        if (endpoint is not null && HttpApiPortPolicy.IsMethodNotAllowed(endpoint))
        {
            // grpc-gateway's routing error: a path some route has, with another method.
            await HttpApiStatus.WriteAsync(context, StatusCode.Unimplemented, "Method Not Allowed");
            return;
        }
        if (endpoint is null || !HttpApiPortPolicy.IsApiEndpoint(endpoint))
        {
            await HttpApiStatus.WriteAsync(context, StatusCode.NotFound, "Not Found");
            return;
        }
        HttpApiCall.Mark(context);
        ForwardHeaders(context.Request.Headers);
        if (endpoint.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is { } transcoding)
        {
            if (UnknownQueryParameter(context.Request.Query, transcoding.MethodDescriptor.InputType) is { } parameter)
            {
                // grpc-gateway refuses a parameter that names no field; the transcoder would drop it.
                await HttpApiStatus.WriteAsync(context, StatusCode.InvalidArgument,
                    $"unknown query parameter \"{parameter}\": no field of {transcoding.MethodDescriptor.InputType.FullName}");
                return;
            }
            if (BodyMessage(transcoding.MethodDescriptor.InputType, transcoding.HttpRule.Body) is { } bodyMessage
                && !await ReadBodyAsync(context, bodyMessage))
            {
                return;
            }
        }
        var accept = context.Request.Headers.Accept.ToString();
        if (context.Request.Query.ContainsKey("noPayloadShorthand") || accept.Contains("no-payload-shorthand", StringComparison.Ordinal))
        {
            PayloadShorthand.Disable();
        }
        if (context.Request.Query.ContainsKey("pretty") || accept.Contains("+pretty", StringComparison.Ordinal))
        {
            await PrettyAsync(context);
            return;
        }
        await next(context);
    }

    /// <summary>A query parameter that is no field path of the request (<c>pageSize</c>, <c>execution.workflow_id</c>), but the output options.</summary>
    private static string? UnknownQueryParameter(IQueryCollection query, MessageDescriptor request)
    {
        foreach (var key in query.Keys)
        {
            if (key is "pretty" or "noPayloadShorthand")
            {
                continue;
            }
            MessageDescriptor? message = request;
            foreach (var part in key.Split('.'))
            {
                var field = message?.FindFieldByName(part) ?? message?.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == part);
                if (field is null)
                {
                    return key;
                }
                message = field.FieldType == FieldType.Message ? field.MessageType : null;
            }
        }
        return null;
    }

    /// <summary>The message the body is read into: the request (<c>body: "*"</c>), one of its fields, or none.</summary>
    private static MessageDescriptor? BodyMessage(MessageDescriptor request, string body) => body switch
    {
        "" => null,
        "*" => request,
        _ => request.FindFieldByName(body) is { FieldType: FieldType.Message } field ? field.MessageType : null,
    };

    /// <summary>
    /// Reads the whole body (at most 4 MiB) so it can be checked before the transcoder parses it; false when it was
    /// refused and the answer is written.
    /// </summary>
    private static async Task<bool> ReadBodyAsync(HttpContext context, MessageDescriptor message)
    {
        var request = context.Request;
        if (request.ContentType is { } contentType && !IsJson(contentType))
        {
            // grpc-gateway would read any type with its default marshaler; a body declared as XML, text or the like is
            // refused here instead, so the caller learns the API speaks JSON. A form type is read as JSON (IsJson).
            await HttpApiStatus.WriteAsync(context, StatusCode.InvalidArgument,
                $"Content-Type {contentType} is not supported: send the body as application/json",
                StatusCodes.Status415UnsupportedMediaType);
            return false;
        }
        if (request.ContentLength > MaxRequestBytes)
        {
            await RefuseTooLargeAsync(context);
            return false;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxRequestBytes)
            {
                await RefuseTooLargeAsync(context);
                return false;
            }
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        if (bytes.Length > 0)
        {
            RequestJsonCheck.Problem? problem;
            try
            {
                using var document = JsonDocument.Parse(bytes);
                problem = RequestJsonCheck.Find(document.RootElement, message);
            }
            catch (JsonException e)
            {
                await HttpApiStatus.WriteAsync(context, StatusCode.InvalidArgument, $"Malformed JSON body: {e.Message}");
                return false;
            }
            if (problem is not null)
            {
                await HttpApiStatus.WriteAsync(context, StatusCode.InvalidArgument, problem.Message);
                return false;
            }
        }
        request.Body = new MemoryStream(bytes);
        request.ContentLength = bytes.Length;
        // The transcoder takes application/json only; Temporal's variants (+pretty, +no-payload-shorthand) are read alike.
        request.ContentType = "application/json";
        return true;
    }

    private static Task RefuseTooLargeAsync(HttpContext context) =>
        HttpApiStatus.WriteAsync(context, StatusCode.ResourceExhausted,
            $"request body is larger than {MaxRequestBytes} bytes, the HTTP API's limit", StatusCodes.Status413PayloadTooLarge);

    /// <summary>
    /// JSON, or the form type `curl -d` sends when no Content-Type is given: Temporal reads that body as JSON, so scripts
    /// written for it work here too (a real form body then fails as malformed JSON).
    /// </summary>
    private static bool IsJson(string contentType)
    {
        var media = contentType.Split(';', 2)[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.StartsWith("application/json+", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Headers become the call's metadata (the transcoder passes them all); as grpc-gateway, <c>Grpc-Metadata-X</c> is
    /// also <c>X</c>, and as Temporal, a call without client-name/client-version is the server's own HTTP client.
    /// </summary>
    private static void ForwardHeaders(IHeaderDictionary headers)
    {
        foreach (var (name, value) in headers.Where(h => h.Key.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            var key = name[MetadataPrefix.Length..];
            if (key.Length > 0 && !headers.ContainsKey(key))
            {
                headers[key] = value;
            }
        }
        if (!headers.ContainsKey("client-name"))
        {
            headers["client-name"] = "temporal-server-http";
        }
        if (!headers.ContainsKey("client-version"))
        {
            headers["client-version"] = WorkflowServiceImpl.ServerVersion;
        }
    }

    /// <summary>Indents the answer (two spaces, as Temporal's pretty marshaler); the transcoder has one fixed format.</summary>
    private async Task PrettyAsync(HttpContext context)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        buffer.Position = 0;
        if (context.Response.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true || buffer.Length == 0)
        {
            await buffer.CopyToAsync(original, context.RequestAborted);
            return;
        }
        using var document = JsonDocument.Parse(buffer);
        context.Response.ContentLength = null;
        await using var writer = new Utf8JsonWriter(original, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        document.WriteTo(writer);
    }
}

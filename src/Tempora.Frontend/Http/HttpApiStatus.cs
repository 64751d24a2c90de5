using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Tempora.Frontend.Http;

/// <summary>
/// An HTTP API answer that is not a handler's: a google.rpc.Status body (<c>{"code":5,"message":"Not Found"}</c>) with
/// the HTTP status grpc-gateway gives its gRPC code (runtime.HTTPStatusFromCode), as Temporal's HTTP API answers.
/// </summary>
internal static class HttpApiStatus
{
    public static Task WriteAsync(HttpContext context, StatusCode code, string message, int? httpStatus = null)
    {
        context.Response.StatusCode = httpStatus ?? HttpStatusOf(code);
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { code = (int)code, message }, Options), context.RequestAborted);
    }

    /// <summary>Quotes and apostrophes in a message stay as they are (as protojson writes them), not \u0022.</summary>
    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.OK => StatusCodes.Status200OK,
        StatusCode.Cancelled => 499,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}

using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tempora.Core.Loopback;
using Tempora.Web.Markup;
using Tempora.Web.Security;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Pages;

/// <summary>One request to a page: its route values, the frontend client, and how to answer with a page.</summary>
internal sealed class UiRequest(HttpContext http, FrontendClient frontend)
{
    public HttpContext Http => http;

    public FrontendClient Frontend => frontend;

    public CancellationToken Aborted => http.RequestAborted;

    /// <summary>The namespace of the URL, or null on pages outside one.</summary>
    public string? Namespace => RouteValue("namespace");

    public string RequiredNamespace => Namespace ?? throw new InvalidOperationException("The route has no namespace.");

    /// <summary>A route value, exactly as the link that led here encoded it (<see cref="RawRouteValues"/>).</summary>
    public string? RouteValue(string name) => RawRouteValues.Get(http, name);

    public string Query(string name) => http.Request.Query[name].ToString();

    /// <summary>Calls the frontend as the signed-in user (their token as the bearer), or as the UI when the login is off.</summary>
    public Task<TResponse> CallAsync<TRequest, TResponse>(TRequest request)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new() =>
        frontend.CallAsync<TRequest, TResponse>(request, http.RequestAborted, headers: UserHeaders());

    private Metadata? UserHeaders()
    {
        var auth = http.RequestServices.GetRequiredService<WebUiSettings>().Auth;
        return auth is not null && UiLogin.BearerToken(http, auth.UseIdTokenAsBearer) is { Length: > 0 } token
            ? new Metadata { { "authorization", "Bearer " + token } }
            : null;
    }

    /// <summary>Namespace names for the switcher; the page still renders when the list cannot be read.</summary>
    public async Task<IReadOnlyList<string>> NamespacesAsync()
    {
        try
        {
            var names = new List<string>();
            var request = new ListNamespacesRequest { PageSize = 100 };
            do
            {
                var page = await CallAsync<ListNamespacesRequest, ListNamespacesResponse>(request);
                names.AddRange(page.Namespaces.Select(n => n.NamespaceInfo.Name));
                request.NextPageToken = page.NextPageToken;
            }
            while (!request.NextPageToken.IsEmpty && names.Count < 1000);
            return names;
        }
        catch (RpcException)
        {
            return [];
        }
    }

    public async Task WritePageAsync(string title, Html content, int statusCode = StatusCodes.Status200OK, Html head = default)
    {
        var namespaces = Namespace is null ? [] : await NamespacesAsync();
        await WriteHtmlAsync(Layout.Render(title, Namespace, namespaces, content, head, UiLogin.UserName(http)), statusCode);
    }

    public async Task WriteHtmlAsync(string html, int statusCode)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = "text/html; charset=utf-8";
        html = UiAntiforgery.AddTokens(http, html);
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsync(html, http.RequestAborted);
    }

    /// <summary>An error page: what went wrong in words, never a stack trace.</summary>
    public Task WriteErrorAsync(int statusCode, string title, string message) =>
        WritePageAsync(title, Html.Of($"""
            <h1>{title}</h1>
            <p class="error" role="alert">{message}</p>
            <p><a href="/">Back to the workflows</a></p>
            """), statusCode);

    /// <summary>The page for a failed frontend call: its gRPC status as an HTTP status, and its message.</summary>
    public Task WriteErrorAsync(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var (status, title) = Describe(error.StatusCode);
        return WriteErrorAsync(status, title, error.Status.Detail.Length > 0 ? error.Status.Detail : error.StatusCode.ToString());
    }

    /// <summary>
    /// Whether an action shows this refusal on its own page, with the form kept. Not when the server is unreachable
    /// (the error page) nor when it no longer takes the user's token (the login, <see cref="WebUiEndpoints"/>).
    /// </summary>
    public static bool ShownOnPage(RpcException error) => error.StatusCode is not (StatusCode.Unavailable or StatusCode.Unauthenticated);

    /// <summary>A refusal in words: the server's message, said to be a permission matter when the authorizer refused.</summary>
    public static string Refusal(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var detail = error.Status.Detail.Length > 0 ? error.Status.Detail : error.StatusCode.ToString();
        return error.StatusCode == StatusCode.PermissionDenied ? $"Not allowed: {detail}" : detail;
    }

    public static (int Status, string Title) Describe(StatusCode code) => code switch
    {
        StatusCode.NotFound => ((int)HttpStatusCode.NotFound, "Not found"),
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.AlreadyExists or StatusCode.OutOfRange =>
            ((int)HttpStatusCode.BadRequest, "Request refused"),
        StatusCode.Unavailable => ((int)HttpStatusCode.ServiceUnavailable, "Server unavailable"),
        StatusCode.DeadlineExceeded => ((int)HttpStatusCode.GatewayTimeout, "Timed out"),
        StatusCode.Unimplemented => ((int)HttpStatusCode.NotImplemented, "Not supported"),
        // The frontend's authorizer refused the signed-in user (or, with the UI's login off, the UI itself).
        StatusCode.PermissionDenied => ((int)HttpStatusCode.Forbidden, "Not allowed"),
        StatusCode.Unauthenticated => ((int)HttpStatusCode.Unauthorized, "Not signed in"),
        _ => ((int)HttpStatusCode.BadGateway, "Server error"),
    };
}

using Tempora.Web.Markup;
using Temporalio.Api.Failure.V1;

namespace Tempora.Web.Rendering;

/// <summary>A failure with its type, stack trace, details and chain of causes, outermost first.</summary>
internal static class FailureView
{
    private const int MaxCauses = 20;

    public static Html Render(Failure? failure)
    {
        if (failure is null)
        {
            return Html.Empty;
        }
        var w = new HtmlWriter();
        w.Write($"<div class=\"failure\">");
        var depth = 0;
        for (var f = failure; f is not null && depth < MaxCauses; f = f.Cause, depth++)
        {
            if (depth > 0)
            {
                w.Write($"<div class=\"muted small\">caused by</div>");
            }
            w.Write($"<div class=\"failure-message\"><strong>{Kind(f)}</strong>: {f.Message}</div>");
            if (f.ApplicationFailureInfo is { } app)
            {
                if (app.NonRetryable)
                {
                    w.Write($"<div class=\"small\">non-retryable</div>");
                }
                if (app.Details is { Payloads_.Count: > 0 })
                {
                    w.Write($"<div class=\"small\">details</div>{PayloadView.Render(app.Details)}");
                }
            }
            if (f.NexusHandlerFailureInfo is { } handler)
            {
                // A Nexus handler error's type (UPSTREAM_TIMEOUT, BAD_REQUEST…) decides whether the caller retries.
                w.Write($"<div class=\"small\">handler error type {handler.Type}</div>");
            }
            if (f.TimeoutFailureInfo is { } timeout)
            {
                w.Write($"<div class=\"small\">timeout type {timeout.TimeoutType}</div>");
            }
            if (!string.IsNullOrEmpty(f.StackTrace))
            {
                w.Write($"<pre class=\"stack\">{f.StackTrace}</pre>");
            }
        }
        return w.Write($"</div>").ToHtml();
    }

    /// <summary>The failure's kind: the application error type if any, else which info it carries.</summary>
    public static string Kind(Failure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.FailureInfoCase switch
        {
            Failure.FailureInfoOneofCase.ApplicationFailureInfo when failure.ApplicationFailureInfo.Type.Length > 0 =>
                failure.ApplicationFailureInfo.Type,
            Failure.FailureInfoOneofCase.ApplicationFailureInfo => "ApplicationFailure",
            Failure.FailureInfoOneofCase.None => "Failure",
            var info => info.ToString().Replace("FailureInfo", "Failure", StringComparison.Ordinal),
        };
    }
}

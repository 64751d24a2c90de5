using Google.Protobuf.WellKnownTypes;
using Tempora.Web.Markup;
using Tempora.Web.Pages;
using Tempora.Web.Rendering;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Workflow.V1;

namespace Tempora.Web.Tests;

/// <summary>
/// The Nexus parts of a run's page rendered from canned events and descriptions: the outcomes and the cancellation a
/// browser test does not reach, and handler-supplied text (tokens, failure messages, callback URLs) kept as text.
/// </summary>
public sealed class NexusRunPageRenderTests
{
    private static readonly Timestamp At = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Gist_NexusOutcomes_ShowTheCauseMessageAndTheScheduledEvent()
    {
        static Failure Wrapped(string cause) => new() { Message = "nexus operation completed unsuccessfully", Cause = new Failure { Message = cause } };

        Assert.Equal("handler workflow gave up", WorkflowDetailPage.Gist(new HistoryEvent
        {
            NexusOperationFailedEventAttributes = new() { ScheduledEventId = 5, Failure = Wrapped("handler workflow gave up") },
        }));
        Assert.Equal("operation canceled", WorkflowDetailPage.Gist(new HistoryEvent
        {
            NexusOperationCanceledEventAttributes = new() { ScheduledEventId = 5, Failure = Wrapped("operation canceled") },
        }));
        Assert.Equal("operation timed out", WorkflowDetailPage.Gist(new HistoryEvent
        {
            NexusOperationTimedOutEventAttributes = new() { ScheduledEventId = 5, Failure = Wrapped("operation timed out") },
        }));
        Assert.Equal("operation scheduled by event 5", WorkflowDetailPage.Gist(new HistoryEvent
        {
            NexusOperationCancelRequestedEventAttributes = new() { ScheduledEventId = 5 },
        }));
    }

    [Fact]
    public void PendingOperation_StartedWithCancellation_ShowsTokenCancellationAndFailuresAsText()
    {
        var operation = new PendingNexusOperationInfo
        {
            Endpoint = "orders",
            Service = "OrderService",
            Operation = "Ship",
            State = PendingNexusOperationState.Started,
            Attempt = 2,
            ScheduledEventId = 7,
            ScheduledTime = At,
            ScheduleToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromMinutes(5)),
            OperationToken = "<img src=x>",
            CancellationInfo = new NexusOperationCancellationInfo
            {
                State = NexusOperationCancellationState.BackingOff,
                RequestedTime = At,
                Attempt = 3,
                LastAttemptFailure = new Failure { Message = "cancel <b>refused</b>" },
            },
        };
        var w = new HtmlWriter();

        WorkflowDetailPage.WritePendingNexusOperation(w, operation);

        var html = w.ToString();
        foreach (var expected in new[]
        {
            "Nexus operation OrderService/Ship", "endpoint orders", "<dd class=\"nexus-state\">Started</dd>", "href=\"#event-7\"", "5m",
            "&lt;img src=x&gt;", "BackingOff, requested", "attempt 3", "Last cancel request failure", "cancel &lt;b&gt;refused&lt;/b&gt;",
        })
        {
            Assert.Contains(expected, html, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Callbacks_ShowUrlStateTriggerAndFailureAsText()
    {
        var w = new HtmlWriter();

        WorkflowDetailPage.WriteCallbacks(w, [new CallbackInfo
        {
            Callback = new Callback { Nexus = new() { Url = "temporal://system?<x>" } },
            Trigger = new CallbackInfo.Types.Trigger { WorkflowClosed = new() },
            State = CallbackState.BackingOff,
            RegistrationTime = At,
            Attempt = 4,
            LastAttemptFailure = new Failure { Message = "caller <gone>" },
        }]);

        var html = w.ToString();
        foreach (var expected in new[] { "temporal://system?&lt;x&gt;", "BackingOff", "workflow closed", "2026-03-01 08:00:00", "<td>4</td>", "caller &lt;gone&gt;" })
        {
            Assert.Contains(expected, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EventLinks_WorkflowEvents_LinkToTheirRunAndEventOncePerTarget()
    {
        var link = new Link
        {
            WorkflowEvent = new Link.Types.WorkflowEvent
            {
                Namespace = "handlers",
                WorkflowId = "a/b <c>",
                RunId = "run-1",
                EventRef = new() { EventId = 1, EventType = EventType.WorkflowExecutionStarted },
            },
        };

        var html = EventLinks.Render([link, link.Clone(), new Link { BatchJob = new() { JobId = "job" } }]).Value;

        Assert.Equal(" <a class=\"ev-link small\" href=\"/namespaces/handlers/workflows/a%2Fb%20%3Cc%3E/run-1/history#event-1\" title=\"linked event in handlers\">→ handlers/a/b &lt;c&gt;</a>", html);
    }
}

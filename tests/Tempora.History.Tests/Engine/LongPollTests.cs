using Tempora.History.Tests.Clock;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Tests.Engine;

/// <summary>History's long polls end at their deadline on the engine's clock, not on the wall clock.</summary>
public sealed class LongPollTests
{
    [Fact]
    public async Task GetHistory_WaitForCloseOfOpenRun_ReturnsEmptyPageWithTokenAtTheDeadline()
    {
        await using var h = await EngineHarness.StartAsync();
        var t0 = h.Start;
        var run = await h.StartWorkflowAsync();
        using var patience = new CancellationTokenSource(TestClock.Patience);

        var poll = h.History.GetWorkflowExecutionHistoryAsync(h.Namespace, new GetWorkflowExecutionHistoryRequest
        {
            Namespace = h.Namespace.Name,
            Execution = run,
            WaitNewEvent = true,
            HistoryEventFilterType = HistoryEventFilterType.CloseEvent,
        }, appendTransientEvents: false, TimeSpan.FromSeconds(20), patience.Token);

        await h.Clock.ArmedAsync(t0.AddSeconds(20));
        Assert.False(poll.IsCompleted);
        h.Clock.AdvanceTo(t0.AddSeconds(20));
        var response = await poll;

        Assert.Empty(response.History.Events);
        Assert.False(response.NextPageToken.IsEmpty); // the run is still open: the client asks again
    }
}

using System.Net;
using Temporalio.Api.Enums.V1;
using Temporalio.Client.Schedules;
using Temporalio.Exceptions;

namespace Tempora.Web.Tests;

/// <summary>The schedule pages as plain HTTP against a real server, with schedules created by the SDK.</summary>
[Collection(UiCollection.Name)]
public sealed class ScheduleHttpTests(UiServerFixture fixture) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Navigation_HasSchedulesNextToWorkflows()
    {
        var body = await (await GetAsync("/namespaces/default/workflows")).Content.ReadAsStringAsync();

        Assert.Matches("<a href=\"/namespaces/default/workflows\">Workflows</a>\\s*<a href=\"/namespaces/default/schedules\">Schedules</a>", body);
    }

    [Fact]
    public async Task ScheduleList_CreatedSchedule_ShowsStateTypeSpecAndNextRun()
    {
        var id = $"list-{Guid.NewGuid():N}";
        await TestSchedules.CreateDailyAsync(fixture, id);

        var row = await WaitForRowAsync("/namespaces/default/schedules", id);

        Assert.Contains($"href=\"/namespaces/default/schedules/{id}\"", row, StringComparison.Ordinal);
        Assert.Contains("Paused", row, StringComparison.Ordinal);
        Assert.Contains(nameof(GreetingWorkflow), row, StringComparison.Ordinal);
        Assert.Contains("every day at 09:30 (Europe/Berlin)", row, StringComparison.Ordinal);
        Assert.Matches("<time datetime=\"[0-9-]+T0[78]:30:00", row); // 09:30 in Berlin is 07:30 or 08:30 UTC
        Assert.Contains("none yet", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScheduleList_QueryOnPaused_NarrowsToPausedSchedules()
    {
        var paused = $"paused-{Guid.NewGuid():N}";
        var running = $"running-{Guid.NewGuid():N}";
        await TestSchedules.CreateDailyAsync(fixture, paused);
        await TestSchedules.CreateDailyAsync(fixture, running, paused: false);
        await WaitForRowAsync("/namespaces/default/schedules", running);

        var body = await (await GetAsync("/namespaces/default/schedules?query=" + Uri.EscapeDataString("TemporalSchedulePaused = true"))).Content.ReadAsStringAsync();

        Assert.Contains(paused, body, StringComparison.Ordinal);
        Assert.DoesNotContain(running, body, StringComparison.Ordinal);
        Assert.Contains("value=\"TemporalSchedulePaused = true\"", body, StringComparison.Ordinal);
        await fixture.Client.GetScheduleHandle(running).DeleteAsync();
    }

    [Fact]
    public async Task ScheduleList_BadQuery_ShowsServerMessageWith400()
    {
        var response = await GetAsync("/namespaces/default/schedules?query=" + Uri.EscapeDataString("TemporalSchedulePaused = "));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("class=\"error\"", body, StringComparison.Ordinal);
        Assert.Contains("<form class=\"filter\"", body, StringComparison.Ordinal);
        Assert.Contains("value=\"TemporalSchedulePaused =\"", body, StringComparison.Ordinal); // kept to fix, trimmed
    }

    [Fact]
    public async Task ScheduleDetail_ShowsSpecActionPoliciesStateAndUpcomingRuns()
    {
        var id = $"detail-{Guid.NewGuid():N}";
        await fixture.Client.CreateScheduleAsync(id, new Schedule(
            ScheduleActionStartWorkflow.Create((GreetingWorkflow wf) => wf.RunAsync("detail"), new($"{id}-wf", fixture.TaskQueue)),
            new ScheduleSpec
            {
                Calendars = [new ScheduleCalendarSpec { Hour = [new ScheduleRange(9)], Minute = [new ScheduleRange(30)] }],
                Intervals = [new ScheduleIntervalSpec(TimeSpan.FromMinutes(5))],
                Skip = [new ScheduleCalendarSpec
                {
                    Second = [new ScheduleRange(0, 59)], Minute = [new ScheduleRange(0, 59)], Hour = [new ScheduleRange(0, 23)],
                    DayOfWeek = [new ScheduleRange(0), new ScheduleRange(6)],
                }],
                Jitter = TimeSpan.FromSeconds(30),
                EndAt = new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc),
                TimeZoneName = "Europe/Berlin",
            })
        {
            Policy = new SchedulePolicy { Overlap = ScheduleOverlapPolicy.BufferOne, CatchupWindow = TimeSpan.FromMinutes(10), PauseOnFailure = true },
            State = new ScheduleState { Paused = true, Note = "waiting for the release", LimitedActions = true, RemainingActions = 3 },
        });

        var response = await GetAsync($"/namespaces/default/schedules/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        foreach (var expected in new[]
        {
            "every day at 09:30 (Europe/Berlin)", "every 5 minutes", "every Saturday and Sunday (Europe/Berlin)",
            "each run up to 30 seconds later", "2099-01-01 00:00:00.000", nameof(GreetingWorkflow), fixture.TaskQueue, $"{id}-wf",
            "Buffer one", "10 minutes", "yes: a failed or timed-out run pauses the schedule", "waiting for the release",
        })
        {
            Assert.Contains(expected, body, StringComparison.Ordinal);
        }
        Assert.Contains("<dt>Remaining actions</dt><dd>3</dd>", body, StringComparison.Ordinal);
        Assert.Equal(3, CountOf(body, "<li><time")); // upcoming runs: no more than the remaining actions
    }

    [Fact]
    public async Task ScheduleDetail_UnknownSchedule_Returns404Page()
    {
        var response = await GetAsync($"/namespaces/default/schedules/no-such-schedule-{Guid.NewGuid():N}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("role=\"alert\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScheduleDetail_IdAndNoteWithMarkup_AreEncoded()
    {
        var id = $"<b>x</b>/?#-{Guid.NewGuid():N}";
        await TestSchedules.CreateDailyAsync(fixture, id, note: "<script>alert(1)</script>");

        var response = await GetAsync($"/namespaces/default/schedules/{Uri.EscapeDataString(id)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<b>x</b>", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", body, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfill_Posted_TakesTheActionsOfTheRange()
    {
        var id = $"backfill-{Guid.NewGuid():N}";
        var handle = await TestSchedules.CreateHourlyAsync(fixture, id);
        var hour = DateTime.UtcNow.Date.AddDays(-1);

        var response = await PostAsync($"/namespaces/default/schedules/{id}/backfill",
            ("start", hour.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture)),
            ("end", hour.AddHours(1).AddMinutes(30).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture)),
            ("overlap", nameof(ScheduleOverlapPolicy.AllowAll)));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/namespaces/default/schedules/{id}?done=backfill", response.Headers.Location?.ToString());
        var description = await TestSchedules.WaitForAsync(handle, d => d.Info.NumActions >= 2);
        Assert.Equal([hour, hour.AddHours(1)], description.Info.RecentActions.Select(a => a.ScheduledAt).Order());
    }

    [Fact]
    public async Task Backfill_EndBeforeStart_IsRefusedOnThePage()
    {
        var id = $"backfill-bad-{Guid.NewGuid():N}";
        var handle = await TestSchedules.CreateHourlyAsync(fixture, id);

        var response = await PostAsync($"/namespaces/default/schedules/{id}/backfill", ("start", "2025-02-01T00:00"), ("end", "2025-01-01T00:00"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The backfill&#x27;s end is before its start.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await handle.DescribeAsync()).Info.NumActions);
    }

    [Fact]
    public async Task ScheduleAction_PostedFromAnotherOrigin_IsRefused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.UiBase, "/namespaces/default/schedules/any-schedule/delete"))
        {
            Content = new FormUrlEncodedContent([]),
        };
        request.Headers.Add("Origin", "http://attacker.example");

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("the schedule&#x27;s page", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScheduleAction_Get_IsNotAnAction()
    {
        var response = await GetAsync("/namespaces/default/schedules/any-schedule/delete");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Delete_Posted_RemovesScheduleAndRedirectsToList()
    {
        var id = $"delete-http-{Guid.NewGuid():N}";
        var handle = await TestSchedules.CreateDailyAsync(fixture, id);

        var response = await PostAsync($"/namespaces/default/schedules/{id}/delete");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/namespaces/default/schedules?done=delete", response.Headers.Location?.ToString(), StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<RpcException>(() => handle.DescribeAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, error.Code);
    }

    public void Dispose() => _http.Dispose();

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(new Uri(fixture.UiBase, path));

    private async Task<HttpResponseMessage> PostAsync(string path, params (string Name, string Value)[] fields) =>
        await _http.PostAsync(new Uri(fixture.UiBase, path),
            await UiForms.FormAsync(_http, fixture, fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));

    /// <summary>The list's row of a schedule, waiting for it: the list reads visibility, which follows the write.</summary>
    private async Task<string> WaitForRowAsync(string path, string scheduleId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var body = await (await GetAsync(path)).Content.ReadAsStringAsync();
            var at = body.IndexOf(scheduleId, StringComparison.Ordinal);
            if (at >= 0)
            {
                var start = body.LastIndexOf("<tr>", at, StringComparison.Ordinal);
                return body[start..body.IndexOf("</tr>", at, StringComparison.Ordinal)];
            }
            Assert.True(DateTime.UtcNow < deadline, $"{scheduleId} is not on {path}: {body}");
            await Task.Delay(200);
        }
    }
}

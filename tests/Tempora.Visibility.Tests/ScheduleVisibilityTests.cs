using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Tempora.Core.Errors;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Schedule.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Visibility.Query.Tests;

/// <summary>A schedule's visibility row as <see cref="ScheduleVisibility"/> writes it and ListSchedules reads it back.</summary>
public sealed class ScheduleVisibilityTests
{
    private static readonly VisibilityNamespace Ns = new("ns-id", Compile.Custom);

    [Fact]
    public void SearchAttributesJson_WithoutUserAttributes_HoldsDivisionAndPaused()
    {
        Assert.Equal("""{"TemporalNamespaceDivision":"TemporalScheduler","TemporalSchedulePaused":true}""",
            ScheduleVisibility.SearchAttributesJson(null, paused: true, Compile.Custom));
    }

    [Fact]
    public void SearchAttributesJson_ServerValuesWinAndUnregisteredNamesAreDropped()
    {
        var user = Attributes(("CustomKeyword", "\"alpha\""), ("CustomInt", "[7]"), ("TemporalSchedulePaused", "true"),
            ("TemporalNamespaceDivision", "\"TemporalBatcher\""), ("NotRegistered", "1"));

        var json = ScheduleVisibility.SearchAttributesJson(user, paused: false, Compile.Custom);

        Assert.Equal("""{"CustomInt":7,"CustomKeyword":"alpha","TemporalNamespaceDivision":"TemporalScheduler","TemporalSchedulePaused":false}""", json);
        Assert.Equal("true", user.IndexedFields["TemporalSchedulePaused"].Data.ToStringUtf8()); // the caller's message is left alone
    }

    [Fact]
    public void SearchAttributesJson_IsTheFormatTheQueryTestsSeed()
    {
        // The execution tests query seed rows; this ties their JSON to what the helper writes for the same schedule.
        var seeded = new SeedRow
        {
            NamespaceId = "ns",
            RunId = "r",
            WorkflowId = ScheduleVisibility.WorkflowId("s"),
            WorkflowType = ScheduleVisibility.WorkflowType,
            Status = 1,
            StartTime = 0,
            ExecutionTime = 0,
            TaskQueue = "tq",
            HistoryLength = 0,
            HistorySizeBytes = 0,
            StateTransitionCount = 0,
            RootWorkflowId = "s",
            RootRunId = "r",
            CustomKeyword = "alpha",
            CustomInt = 20,
            SchedulePaused = true,
            NamespaceDivision = ScheduleVisibility.NamespaceDivision,
        }.SearchAttributesJson();

        var written = ScheduleVisibility.SearchAttributesJson(Attributes(("CustomKeyword", "\"alpha\""), ("CustomInt", "20")), paused: true, Compile.Custom);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(seeded!), JsonNode.Parse(written)), $"{seeded} vs {written}");
    }

    [Fact]
    public void ListEntry_ReadsBackWhatTheWriterStored()
    {
        var info = new ScheduleListInfo
        {
            WorkflowType = new Temporalio.Api.Common.V1.WorkflowType { Name = "Report" },
            Notes = "nightly",
            Paused = true,
            FutureActionTimes = { Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 1, 2, 3, 0, 0, TimeSpan.Zero)) },
        };
        var userMemo = new Memo { Fields = { ["owner"] = Json("\"team-a\"") } };
        var record = Record("temporal-sys-scheduler:nightly-report",
            ScheduleVisibility.SearchAttributesJson(Attributes(("CustomKeyword", "\"alpha\""), ("BuildIds", "[\"b-1\"]")), paused: true, Compile.Custom),
            ScheduleVisibility.Memo(userMemo, info));

        var entry = ScheduleListEntries.From(record, Ns);

        Assert.Equal("nightly-report", entry.ScheduleId);
        Assert.Equal(info, entry.Info);
        Assert.Equal(["owner"], entry.Memo.Fields.Keys);
        Assert.Equal(["CustomKeyword"], entry.SearchAttributes.IndexedFields.Keys);
        Assert.Equal("\"alpha\"", entry.SearchAttributes.IndexedFields["CustomKeyword"].Data.ToStringUtf8());
        Assert.Equal(["owner"], userMemo.Fields.Keys); // the writer did not add the info to the caller's memo
    }

    [Fact]
    public void ListEntry_WithoutUserMemoOrAttributes_LeavesThemUnset()
    {
        var record = Record("temporal-sys-scheduler:s", ScheduleVisibility.SearchAttributesJson(null, paused: false, Compile.Custom),
            ScheduleVisibility.Memo(null, new ScheduleListInfo { Notes = "n" }));

        var entry = ScheduleListEntries.From(record, Ns);

        Assert.Null(entry.Memo);
        Assert.Null(entry.SearchAttributes);
        Assert.Equal("n", entry.Info.Notes);
    }

    [Fact]
    public void ListEntry_UnreadableInfo_IsListedWithoutIt()
    {
        var memo = new Memo { Fields = { [ScheduleVisibility.MemoInfoField] = new Payload { Data = ByteString.CopyFrom(0xff, 0xff, 0xff) } } };

        var entry = ScheduleListEntries.From(Record("temporal-sys-scheduler:s", null, memo.ToByteArray()), Ns);

        Assert.Null(entry.Info);
        Assert.Null(entry.Memo);
    }

    [Fact]
    public async Task ListSchedules_QueriesScheduleRowsAndAnswersEntries()
    {
        var store = new RecordingStore([Record("temporal-sys-scheduler:a", null, null)]);
        var service = new VisibilityService(store);

        var response = await service.ListSchedulesAsync(Ns, new ListSchedulesRequest { Query = "ScheduleId = 'a'", MaximumPageSize = 5 }, CancellationToken.None);

        Assert.Equal("a", Assert.Single(response.Schedules).ScheduleId);
        Assert.Equal(5, store.PageSize);
        Assert.Equal(ListFilter.ParseScheduleQuery("ScheduleId = 'a'", Compile.Custom), store.Query, new QueryComparer());
    }

    [Fact]
    public async Task CountSchedules_CountsScheduleRows()
    {
        var store = new RecordingStore([]);
        var service = new VisibilityService(store);

        var response = await service.CountSchedulesAsync(Ns, new CountSchedulesRequest { Query = "TemporalSchedulePaused = true" }, CancellationToken.None);

        Assert.Equal(42, response.Count);
        Assert.Equal(ListFilter.ParseScheduleQuery("TemporalSchedulePaused = true", Compile.Custom), store.Query, new QueryComparer());
    }

    [Theory]
    [InlineData("WorkflowId = 'x'", "invalid query filter for schedules: cannot filter on \"WorkflowId\"")]
    [InlineData("GROUP BY ExecutionStatus", "invalid query filter for schedules: cannot filter on \"ExecutionStatus\"")]
    public async Task ScheduleRpcs_InvalidQuery_IsInvalidArgument(string query, string message)
    {
        var service = new VisibilityService(new RecordingStore([]));

        var list = await Assert.ThrowsAsync<InvalidArgumentException>(() =>
            service.ListSchedulesAsync(Ns, new ListSchedulesRequest { Query = query }, CancellationToken.None));
        var count = await Assert.ThrowsAsync<InvalidArgumentException>(() =>
            service.CountSchedulesAsync(Ns, new CountSchedulesRequest { Query = query }, CancellationToken.None));

        Assert.Equal(message, list.Message);
        Assert.Equal(message, count.Message);
    }

    private static SearchAttributes Attributes(params (string Name, string Json)[] values)
    {
        var attributes = new SearchAttributes();
        foreach (var (name, json) in values)
        {
            attributes.IndexedFields[name] = Json(json);
        }
        return attributes;
    }

    private static Payload Json(string json) => new()
    {
        Metadata = { ["encoding"] = ByteString.CopyFromUtf8("json/plain") },
        Data = ByteString.CopyFromUtf8(json),
    };

    private static VisibilityRecord Record(string workflowId, string? searchAttributesJson, byte[]? memo)
    {
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        return new VisibilityRecord(Ns.Id, "run", workflowId, ScheduleVisibility.WorkflowType, 1, start, start, null, "tq", 0, 0, null, 0,
            null, null, workflowId, "run", memo, searchAttributesJson, 1);
    }

    /// <summary>Compares checked queries by structure (conditions hold lists, which records compare by reference).</summary>
    private sealed class QueryComparer : IEqualityComparer<VisibilityQuery?>
    {
        public bool Equals(VisibilityQuery? x, VisibilityQuery? y) => Describe(x) == Describe(y);

        public int GetHashCode(VisibilityQuery? obj) => Describe(obj).GetHashCode(StringComparison.Ordinal);

        private static string Describe(VisibilityQuery? query) => query is null ? "null" : Describe(query.Filter) + "|" + query.GroupByStatus;

        private static string Describe(Condition? condition) => condition switch
        {
            null => "all",
            AndCondition and => "AND(" + string.Join(",", and.Operands.Select(Describe)) + ")",
            OrCondition or => "OR(" + string.Join(",", or.Operands.Select(Describe)) + ")",
            NotCondition not => "NOT(" + Describe(not.Operand) + ")",
            InCondition inCondition => $"IN({inCondition.Attribute},{inCondition.Negated},{string.Join(",", inCondition.Values)})",
            _ => condition.ToString()!,
        };
    }

    /// <summary>A store that answers fixed rows and remembers the query it was given.</summary>
    private sealed class RecordingStore(IReadOnlyList<VisibilityRecord> records) : IVisibilityStore
    {
        public VisibilityQuery? Query { get; private set; }

        public int PageSize { get; private set; }

        public Task<VisibilityPage> ListAsync(string namespaceId, VisibilityQuery query, int pageSize, VisibilityCursor? after, CancellationToken ct)
        {
            (Query, PageSize) = (query, pageSize);
            return Task.FromResult(new VisibilityPage(records, null));
        }

        public Task<long> CountAsync(string namespaceId, VisibilityQuery query, CancellationToken ct)
        {
            Query = query;
            return Task.FromResult(42L);
        }

        public Task<IReadOnlyList<(int Status, long Count)>> CountByStatusAsync(string namespaceId, VisibilityQuery query, CancellationToken ct) =>
            throw new NotSupportedException("schedule counts have no groups");

        public Task<IReadOnlyList<(string WorkflowId, string RunId)>> ListClosedBeforeAsync(string namespaceId, DateTimeOffset closedBefore, int limit,
            CancellationToken ct) => throw new NotSupportedException();

        public Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tempora.Visibility.Query.Tests;

/// <summary>One executions_visibility row of the seed data, with its search attributes as typed values (null = missing).</summary>
internal sealed record SeedRow
{
    public required string NamespaceId { get; init; }
    public required string RunId { get; init; }
    public required string WorkflowId { get; init; }
    public required string WorkflowType { get; init; }
    public required int Status { get; init; }
    public required long StartTime { get; init; }
    public required long ExecutionTime { get; init; }
    public long? CloseTime { get; init; }
    public required string TaskQueue { get; init; }
    public required long HistoryLength { get; init; }
    public required long HistorySizeBytes { get; init; }
    public long? ExecutionDuration { get; init; }
    public required long StateTransitionCount { get; init; }
    public string? ParentWorkflowId { get; init; }
    public string? ParentRunId { get; init; }
    public required string RootWorkflowId { get; init; }
    public required string RootRunId { get; init; }

    public string? CustomKeyword { get; init; }
    public string? CustomText { get; init; }
    public long? CustomInt { get; init; }
    public double? CustomDouble { get; init; }
    public bool? CustomBool { get; init; }
    public long? CustomDatetime { get; init; }
    public string[]? CustomKeywordList { get; init; }
    public string? DottedName { get; init; }
    public long? OBrien { get; init; }
    public string[]? ChangeVersion { get; init; }
    public string[]? BuildIds { get; init; }
    public bool? SchedulePaused { get; init; }
    public string? BatcherUser { get; init; }

    /// <summary>TemporalNamespaceDivision: null for user workflows, "TemporalScheduler" for schedules.</summary>
    public string? NamespaceDivision { get; init; }

    /// <summary>
    /// Raw JSON values whose type does not fit their attribute (left from an attribute removed and registered again
    /// with another type); the typed property of each is null, because queries must treat them as missing.
    /// </summary>
    public IReadOnlyDictionary<string, string>? StaleJson { get; init; }

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The search_attributes JSON object as the stores write it; null when the run has none.</summary>
    public string? SearchAttributesJson()
    {
        using var stream = new MemoryStream();
        var any = false;
        using (var json = new Utf8JsonWriter(stream, JsonOptions))
        {
            json.WriteStartObject();
            void Str(string name, string? value)
            {
                if (value is not null)
                {
                    json.WriteString(name, value);
                    any = true;
                }
            }
            void List(string name, string[]? value)
            {
                if (value is not null)
                {
                    json.WriteStartArray(name);
                    foreach (var v in value)
                    {
                        json.WriteStringValue(v);
                    }
                    json.WriteEndArray();
                    any = true;
                }
            }
            Str("CustomKeyword", CustomKeyword);
            Str("CustomText", CustomText);
            if (CustomInt is { } i)
            {
                json.WriteNumber("CustomInt", i);
                any = true;
            }
            if (CustomDouble is { } d)
            {
                json.WriteNumber("CustomDouble", d);
                any = true;
            }
            if (CustomBool is { } b)
            {
                json.WriteBoolean("CustomBool", b);
                any = true;
            }
            Str("CustomDatetime", CustomDatetime is { } t ? FormatDatetime(t) : null);
            List("CustomKeywordList", CustomKeywordList);
            Str("Dotted.Name", DottedName);
            if (OBrien is { } o)
            {
                json.WriteNumber("O'Brien Ünïcode", o);
                any = true;
            }
            List("TemporalChangeVersion", ChangeVersion);
            List("BuildIds", BuildIds);
            if (SchedulePaused is { } p)
            {
                json.WriteBoolean("TemporalSchedulePaused", p);
                any = true;
            }
            Str("BatcherUser", BatcherUser);
            Str("TemporalNamespaceDivision", NamespaceDivision);
            foreach (var (name, raw) in StaleJson ?? new Dictionary<string, string>())
            {
                json.WritePropertyName(name);
                json.WriteRawValue(raw);
                any = true;
            }
            json.WriteEndObject();
        }
        return any ? Encoding.UTF8.GetString(stream.ToArray()) : null;
    }

    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    public static long Micros(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static string FormatDatetime(long micros) =>
        FromMicros(micros).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}

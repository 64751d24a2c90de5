using System.Text.Json.Serialization;

namespace Tempora.Server.Observability;

/// <summary>The JSON body of the health endpoints.</summary>
internal sealed record HealthStatus(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    [property: JsonPropertyName("warnings"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Warnings = null,
    [property: JsonPropertyName("visibility_outbox"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OutboxHealth? VisibilityOutbox = null);

/// <summary>The visibility outbox in /health/ready: rows set aside in visibility_tasks_dlq, and why applying fails now (if it does).</summary>
internal sealed record OutboxHealth(
    [property: JsonPropertyName("parked")] long Parked,
    [property: JsonPropertyName("failing"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Failing);

[JsonSerializable(typeof(HealthStatus))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;

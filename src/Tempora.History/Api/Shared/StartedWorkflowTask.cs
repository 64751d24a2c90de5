using Tempora.Core;
using Temporalio.Api.History.V1;

namespace Tempora.History.Api;

/// <summary>What the poll response needs, captured inside the transition that started the task.</summary>
internal sealed record StartedWorkflowTask(
    WorkflowKey Key, string WorkflowType, string TaskQueue, long PreviousStartedEventId, long ScheduledEventId, long StartedEventId,
    int Attempt, DateTimeOffset ScheduledTime, DateTimeOffset StartedTime, long HistoryFrom, long HistoryToExclusive,
    IReadOnlyList<HistoryEvent> TransientEvents, IReadOnlyList<Temporalio.Api.Protocol.V1.Message> Messages,
    Dictionary<string, Temporalio.Api.Query.V1.WorkflowQuery> Queries);

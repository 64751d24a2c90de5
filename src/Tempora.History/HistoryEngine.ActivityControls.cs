using Tempora.Persistence;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History;

/// <summary>The operator's controls of pending activities and of a workflow's options (Api/PauseActivity … ).</summary>
public sealed partial class HistoryEngine
{
    public Task PauseActivityAsync(NamespaceRecord ns, PauseActivityRequest r, CancellationToken ct) => _pauseActivity.HandleAsync(ns, r, ct);

    public Task UnpauseActivityAsync(NamespaceRecord ns, UnpauseActivityRequest r, CancellationToken ct) => _unpauseActivity.HandleAsync(ns, r, ct);

    public Task ResetActivityAsync(NamespaceRecord ns, ResetActivityRequest r, CancellationToken ct) => _resetActivity.HandleAsync(ns, r, ct);

    public Task<UpdateActivityOptionsResponse> UpdateActivityOptionsAsync(NamespaceRecord ns, UpdateActivityOptionsRequest r, CancellationToken ct) =>
        _updateActivityOptions.HandleAsync(ns, r, ct);

    public Task<UpdateWorkflowExecutionOptionsResponse> UpdateWorkflowExecutionOptionsAsync(
        NamespaceRecord ns, UpdateWorkflowExecutionOptionsRequest r, CancellationToken ct) => _updateWorkflowOptions.HandleAsync(ns, r, ct);
}

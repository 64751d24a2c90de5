using Grpc.Core;
using Tempora.Frontend.Validation;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend;

/// <summary>The operator's controls of pending activities, and UpdateWorkflowExecutionOptions (docs/activity-controls.md).</summary>
internal partial class WorkflowServiceImpl
{
    public virtual async Task<PauseActivityResponse> PauseActivity(PauseActivityRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ActivityControlValidation.Validate(request);
        UnsupportedFields.Check(request);
        await history.PauseActivityAsync(ns, request, context.CancellationToken);
        return new PauseActivityResponse();
    }

    public virtual async Task<UnpauseActivityResponse> UnpauseActivity(UnpauseActivityRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ActivityControlValidation.Validate(request);
        await history.UnpauseActivityAsync(ns, request, context.CancellationToken);
        return new UnpauseActivityResponse();
    }

    public virtual async Task<ResetActivityResponse> ResetActivity(ResetActivityRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ActivityControlValidation.Validate(request);
        UnsupportedFields.Check(request);
        await history.ResetActivityAsync(ns, request, context.CancellationToken);
        return new ResetActivityResponse();
    }

    public virtual async Task<UpdateActivityOptionsResponse> UpdateActivityOptions(UpdateActivityOptionsRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ActivityControlValidation.Validate(request);
        UnsupportedFields.Check(request);
        return await history.UpdateActivityOptionsAsync(ns, request, context.CancellationToken);
    }

    public virtual async Task<UpdateWorkflowExecutionOptionsResponse> UpdateWorkflowExecutionOptions(
        UpdateWorkflowExecutionOptionsRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ActivityControlValidation.Validate(request);
        UnsupportedFields.Check(request);
        return await history.UpdateWorkflowExecutionOptionsAsync(ns, request, context.CancellationToken);
    }
}

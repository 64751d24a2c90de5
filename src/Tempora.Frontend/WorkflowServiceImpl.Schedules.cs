using Grpc.Core;
using Tempora.Frontend.Validation;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend;

/// <summary>The Schedule API: the namespace and the scheduled workflow checked here, the rest in the worker role's
/// <see cref="Worker.Schedules.ScheduleService"/> on the owner of the schedule's shard.</summary>
internal partial class WorkflowServiceImpl
{
    public virtual async Task<CreateScheduleResponse> CreateSchedule(CreateScheduleRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ns = await ScheduleValidation.ValidateAsync(ns, request.Schedule, history.Limits, history.Namespaces, nameof(CreateScheduleRequest),
            context.CancellationToken);
        return await schedules.CreateAsync(ns, request, context.CancellationToken);
    }

    public virtual async Task<DescribeScheduleResponse> DescribeSchedule(DescribeScheduleRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        var response = await schedules.DescribeAsync(ns, request, context.CancellationToken);
        // Temporal's frontend types the schedule's own attributes and its start action's (annotateSearchAttributes…).
        response.SearchAttributes = OutgoingSearchAttributes.Typed(response.SearchAttributes, ns);
        if (response.Schedule?.Action?.StartWorkflow is { } start)
        {
            start.SearchAttributes = OutgoingSearchAttributes.Typed(start.SearchAttributes, ns);
        }
        return response;
    }

    public virtual async Task<UpdateScheduleResponse> UpdateSchedule(UpdateScheduleRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        ns = await ScheduleValidation.ValidateAsync(ns, request.Schedule, history.Limits, history.Namespaces, nameof(UpdateScheduleRequest),
            context.CancellationToken);
        return await schedules.UpdateAsync(ns, request, context.CancellationToken);
    }

    public virtual async Task<PatchScheduleResponse> PatchSchedule(PatchScheduleRequest request, ServerCallContext context) =>
        await schedules.PatchAsync(await NamespaceAsync(request.Namespace, context), request, context.CancellationToken);

    public virtual async Task<DeleteScheduleResponse> DeleteSchedule(DeleteScheduleRequest request, ServerCallContext context) =>
        await schedules.DeleteAsync(await NamespaceAsync(request.Namespace, context), request, context.CancellationToken);

    public virtual async Task<ListScheduleMatchingTimesResponse> ListScheduleMatchingTimes(ListScheduleMatchingTimesRequest request,
        ServerCallContext context) =>
        await schedules.ListMatchingTimesAsync(await NamespaceAsync(request.Namespace, context), request, context.CancellationToken);

    public virtual async Task<ListSchedulesResponse> ListSchedules(ListSchedulesRequest request, ServerCallContext context)
    {
        return await visibility.ListSchedulesAsync(await VisibilityNamespaceAsync(request.Namespace, context), request, context.CancellationToken);
    }

    public virtual async Task<CountSchedulesResponse> CountSchedules(CountSchedulesRequest request, ServerCallContext context)
    {
        return await visibility.CountSchedulesAsync(await VisibilityNamespaceAsync(request.Namespace, context), request, context.CancellationToken);
    }
}

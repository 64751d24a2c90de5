using Grpc.Core;
using Tempora.Frontend.Validation;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend;

/// <summary>
/// The worker deployment RPCs of Temporal 1.28 (DescribeWorkerDeployment, ListWorkerDeployments,
/// DescribeWorkerDeploymentVersion, SetWorkerDeploymentCurrentVersion, SetWorkerDeploymentRampingVersion,
/// DeleteWorkerDeploymentVersion, DeleteWorkerDeployment, UpdateWorkerDeploymentVersionMetadata), served from the
/// deployment rows by <see cref="Matching.Deployments.WorkerDeploymentService"/>. As in 1.28 the namespace is looked up
/// first, then the request's fields are checked.
/// </summary>
internal partial class WorkflowServiceImpl
{
    public virtual async Task<DescribeWorkerDeploymentResponse> DescribeWorkerDeployment(DescribeWorkerDeploymentRequest request,
        ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        DeploymentValidation.CheckName(request.DeploymentName);
        return await deployments.DescribeAsync(ns.Id, request.DeploymentName, context.CancellationToken);
    }

    public virtual async Task<ListWorkerDeploymentsResponse> ListWorkerDeployments(ListWorkerDeploymentsRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        return await deployments.ListAsync(ns.Id, request.PageSize, request.NextPageToken, context.CancellationToken);
    }

    public virtual async Task<DescribeWorkerDeploymentVersionResponse> DescribeWorkerDeploymentVersion(
        DescribeWorkerDeploymentVersionRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        UnsupportedFields.Check(request);
        var version = DeploymentValidation.DescribedVersion(request);
        return await deployments.DescribeVersionAsync(ns.Id, version, context.CancellationToken);
    }

    public virtual async Task<SetWorkerDeploymentCurrentVersionResponse> SetWorkerDeploymentCurrentVersion(
        SetWorkerDeploymentCurrentVersionRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        UnsupportedFields.Check(request);
        var buildId = DeploymentValidation.CurrentTarget(request);
        return await deployments.SetCurrentAsync(ns.Id, request.DeploymentName, buildId, request.ConflictToken, request.Identity,
            request.IgnoreMissingTaskQueues, context.CancellationToken);
    }

    public virtual async Task<SetWorkerDeploymentRampingVersionResponse> SetWorkerDeploymentRampingVersion(
        SetWorkerDeploymentRampingVersionRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        UnsupportedFields.Check(request);
        var target = DeploymentValidation.RampingTarget(request);
        return await deployments.SetRampingAsync(ns.Id, request.DeploymentName, target, request.Percentage, request.ConflictToken,
            request.Identity, request.IgnoreMissingTaskQueues, context.CancellationToken);
    }

    public virtual async Task<DeleteWorkerDeploymentVersionResponse> DeleteWorkerDeploymentVersion(DeleteWorkerDeploymentVersionRequest request,
        ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
#pragma warning disable CS0612
        var version = DeploymentValidation.TargetVersion(request.Version, request.DeploymentVersion);
#pragma warning restore CS0612
        await deployments.DeleteVersionAsync(ns.Id, version, request.SkipDrainage, context.CancellationToken);
        return new DeleteWorkerDeploymentVersionResponse();
    }

    public virtual async Task<DeleteWorkerDeploymentResponse> DeleteWorkerDeployment(DeleteWorkerDeploymentRequest request, ServerCallContext context)
    {
        var ns = await NamespaceAsync(request.Namespace, context);
        DeploymentValidation.CheckName(request.DeploymentName);
        await deployments.DeleteDeploymentAsync(ns.Id, request.DeploymentName, context.CancellationToken);
        return new DeleteWorkerDeploymentResponse();
    }

    public virtual async Task<UpdateWorkerDeploymentVersionMetadataResponse> UpdateWorkerDeploymentVersionMetadata(
        UpdateWorkerDeploymentVersionMetadataRequest request, ServerCallContext context)
    {
        if (request.UpsertEntries.Count == 0 && request.RemoveEntries.Count == 0)
        {
            throw new Core.Errors.InvalidArgumentException("At least one of remove_entries or upsert_entries must be provided");
        }
        var ns = await NamespaceAsync(request.Namespace, context);
#pragma warning disable CS0612
        var version = DeploymentValidation.TargetVersion(request.Version, request.DeploymentVersion);
#pragma warning restore CS0612
        return await deployments.UpdateMetadataAsync(ns.Id, version, request.UpsertEntries, request.RemoveEntries, context.CancellationToken);
    }
}

using Google.Protobuf;
using Google.Protobuf.Reflection;
using Tempora.Cluster.Routing;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Update.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Cluster.Tests;

/// <summary>Every WorkflowService method is either routed to its workflow's shard owner or declared to name no workflow.</summary>
public sealed class WorkflowRoutesTests
{
    /// <summary>Fields by which a request names a workflow.</summary>
    private static readonly string[] WorkflowFields = ["task_token", "workflow_execution", "execution", "workflow_id", "update_ref", "operations"];

    private static IEnumerable<MethodDescriptor> Methods => WorkflowRoutes.Service.Methods;

    [Fact]
    public void EveryMethod_IsRoutedOrDeclaredNotWorkflowScoped_NotBoth()
    {
        var neither = Methods.Where(m => WorkflowRoutes.OfMethod(m.Name) is null && !WorkflowRoutes.NotWorkflowScoped.Contains(m.Name))
            .Select(m => m.Name).ToList();
        Assert.True(neither.Count == 0,
            $"Neither routed nor listed in WorkflowRoutes.NotWorkflowScoped: {string.Join(", ", neither)}. Route them (a request " +
            "that names a workflow is served by its shard's owner), or list them if they name none.");
        var both = Methods.Where(m => WorkflowRoutes.OfMethod(m.Name) is not null && WorkflowRoutes.NotWorkflowScoped.Contains(m.Name))
            .Select(m => m.Name).ToList();
        Assert.True(both.Count == 0, $"Routed, yet listed as naming no workflow: {string.Join(", ", both)}");
    }

    [Fact]
    public void EveryMethodWhoseRequestNamesAWorkflow_HasARoute()
    {
        var unrouted = Methods
            .Where(m => WorkflowFields.Any(f => m.InputType.FindFieldByName(f) is not null) && WorkflowRoutes.OfMethod(m.Name) is null)
            .Select(m => m.Name).ToList();
        Assert.True(unrouted.Count == 0, $"Requests that name a workflow but have no route: {string.Join(", ", unrouted)}");
    }

    [Fact]
    public void NotWorkflowScoped_ListsOnlyMethodsOfTheService()
    {
        var names = Methods.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var stale = WorkflowRoutes.NotWorkflowScoped.Where(n => !names.Contains(n)).ToList();
        Assert.True(stale.Count == 0, $"Not methods of WorkflowService: {string.Join(", ", stale)}");
    }

    public static TheoryData<string, IMessage> NamedByField => new()
    {
        { "StartWorkflowExecution", new StartWorkflowExecutionRequest { Namespace = "ns", WorkflowId = "wf" } },
        { "SignalWithStartWorkflowExecution", new SignalWithStartWorkflowExecutionRequest { Namespace = "ns", WorkflowId = "wf" } },
        { "SignalWorkflowExecution", new SignalWorkflowExecutionRequest { Namespace = "ns", WorkflowExecution = new() { WorkflowId = "wf" } } },
        { "QueryWorkflow", new QueryWorkflowRequest { Namespace = "ns", Execution = new() { WorkflowId = "wf" } } },
        { "DescribeWorkflowExecution", new DescribeWorkflowExecutionRequest { Namespace = "ns", Execution = new() { WorkflowId = "wf" } } },
        { "GetWorkflowExecutionHistory", new GetWorkflowExecutionHistoryRequest { Namespace = "ns", Execution = new() { WorkflowId = "wf" } } },
        { "GetWorkflowExecutionHistoryReverse", new GetWorkflowExecutionHistoryReverseRequest { Namespace = "ns", Execution = new() { WorkflowId = "wf" } } },
        { "RequestCancelWorkflowExecution", new RequestCancelWorkflowExecutionRequest { Namespace = "ns", WorkflowExecution = new() { WorkflowId = "wf" } } },
        { "TerminateWorkflowExecution", new TerminateWorkflowExecutionRequest { Namespace = "ns", WorkflowExecution = new() { WorkflowId = "wf" } } },
        { "ResetWorkflowExecution", new ResetWorkflowExecutionRequest { Namespace = "ns", WorkflowExecution = new() { WorkflowId = "wf" } } },
        { "DeleteWorkflowExecution", new DeleteWorkflowExecutionRequest { Namespace = "ns", WorkflowExecution = new() { WorkflowId = "wf" } } },
        { "UpdateWorkflowExecution", new UpdateWorkflowExecutionRequest { Namespace = "ns", WorkflowExecution = new() { WorkflowId = "wf" } } },
        { "PollWorkflowExecutionUpdate", new PollWorkflowExecutionUpdateRequest { Namespace = "ns", UpdateRef = new UpdateRef { WorkflowExecution = new() { WorkflowId = "wf" } } } },
        { "ResetStickyTaskQueue", new ResetStickyTaskQueueRequest { Namespace = "ns", Execution = new() { WorkflowId = "wf" } } },
        { "RecordActivityTaskHeartbeatById", new RecordActivityTaskHeartbeatByIdRequest { Namespace = "ns", WorkflowId = "wf" } },
        { "RespondActivityTaskCompletedById", new RespondActivityTaskCompletedByIdRequest { Namespace = "ns", WorkflowId = "wf" } },
        { "RespondActivityTaskFailedById", new RespondActivityTaskFailedByIdRequest { Namespace = "ns", WorkflowId = "wf" } },
        { "RespondActivityTaskCanceledById", new RespondActivityTaskCanceledByIdRequest { Namespace = "ns", WorkflowId = "wf" } },
        {
            "ExecuteMultiOperation", new ExecuteMultiOperationRequest
            {
                Namespace = "ns",
                Operations = { new ExecuteMultiOperationRequest.Types.Operation { StartWorkflow = new() { WorkflowId = "wf" } } },
            }
        },
    };

    [Theory]
    [MemberData(nameof(NamedByField))]
    public void ARequestNamingAWorkflow_RoutesToThatWorkflow(string method, IMessage request)
    {
        var route = WorkflowRoutes.OfMethod(method);
        Assert.NotNull(route);
        Assert.Equal(new WorkflowTarget(null, "ns", "wf"), route.Target(request));
    }

    [Theory]
    [InlineData("RespondWorkflowTaskCompleted")]
    [InlineData("RespondWorkflowTaskFailed")]
    [InlineData("RespondQueryTaskCompleted")]
    [InlineData("RecordActivityTaskHeartbeat")]
    [InlineData("RespondActivityTaskCompleted")]
    [InlineData("RespondActivityTaskFailed")]
    [InlineData("RespondActivityTaskCanceled")]
    public void ARequestCarryingATaskToken_RoutesByTheToken(string method)
    {
        var route = WorkflowRoutes.OfMethod(method);
        Assert.NotNull(route);
        var descriptor = WorkflowRoutes.Service.FindMethodByName(method).InputType;
        var request = descriptor.Parser.ParseFrom([]);
        descriptor.FindFieldByName("task_token").Accessor.SetValue(request, ByteString.CopyFromUtf8("token"));
        Assert.Equal(ByteString.CopyFromUtf8("token"), route.Target(request).TaskToken);
    }

    [Theory]
    [InlineData("PollWorkflowTaskQueue")]
    [InlineData("PollActivityTaskQueue")]
    [InlineData("ShutdownWorker")]
    [InlineData("DescribeTaskQueue")]
    [InlineData("ListWorkflowExecutions")]
    [InlineData("RegisterNamespace")]
    public void RequestsAboutNoWorkflow_AreServedWhereTheyArrive(string method) => Assert.Null(WorkflowRoutes.OfMethod(method));

    [Fact]
    public void AMultiOperationWithoutAStart_NamesNoWorkflow()
    {
        var target = WorkflowRoutes.OfMethod("ExecuteMultiOperation")!.Target(new ExecuteMultiOperationRequest { Namespace = "ns" });
        Assert.Equal("", target.WorkflowId);
    }

    [Fact]
    public void AnUnsetExecution_NamesNoWorkflow() =>
        Assert.Equal("", WorkflowRoutes.OfMethod("SignalWorkflowExecution")!.Target(new SignalWorkflowExecutionRequest { Namespace = "ns" }).WorkflowId);
}

using NexusRpc;
using NexusRpc.Handlers;
using Temporalio.Nexus;
using Temporalio.Workflows;

namespace Tempora.Web.Tests;

/// <summary>The Nexus service the workflow-page tests call: one synchronous operation and one that runs a workflow.</summary>
[NexusService]
public interface IUiGreetingService
{
    [NexusOperation]
    string Greet(string name);

    [NexusOperation]
    string GreetInWorkflow(string name);
}

/// <summary>The handler, run by a worker in <see cref="UiServerFixture.NexusHandlerNamespace"/>.</summary>
[NexusServiceHandler(typeof(IUiGreetingService))]
public sealed class UiGreetingService
{
    /// <summary>The id of the workflow GreetInWorkflow starts for a name, so that a test can find it.</summary>
    public static string HandlerWorkflowId(string name) => $"nexus-handler-{name}";

    [NexusOperationHandler]
    public IOperationHandler<string, string> Greet() => OperationHandler.Sync<string, string>((ctx, name) => $"Hello, {name}");

    [NexusOperationHandler]
    public IOperationHandler<string, string> GreetInWorkflow() =>
        WorkflowRunOperationHandler.FromHandleFactory((WorkflowRunOperationContext context, string name) =>
            context.StartWorkflowAsync((NexusHandlerWorkflow wf) => wf.RunAsync(name), new() { Id = HandlerWorkflowId(name) }));
}

/// <summary>The workflow the workflow-run operation starts in the handler's namespace.</summary>
[Workflow]
public sealed class NexusHandlerWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string name) => Task.FromResult($"Hello from a workflow, {name}");
}

/// <summary>The caller: runs both operations on the endpoint, one after the other, and returns both results.</summary>
[Workflow]
public sealed class NexusCallerWorkflow
{
    [WorkflowRun]
    public async Task<string> RunAsync(string endpoint, string name, int timeoutSeconds)
    {
        var client = Workflow.CreateNexusWorkflowClient<IUiGreetingService>(endpoint);
        var options = new NexusWorkflowOperationOptions { ScheduleToCloseTimeout = TimeSpan.FromSeconds(timeoutSeconds) };
        var sync = await client.ExecuteNexusOperationAsync(svc => svc.Greet(name), options);
        var async = await client.ExecuteNexusOperationAsync(svc => svc.GreetInWorkflow(name), options);
        return $"{sync} / {async}";
    }
}

using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.ErrorDetails.V1;
using Temporalio.Api.Update.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Exceptions;
using Temporalio.Worker;
using Temporalio.Workflows;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Updates that meet the end of their run, and the in-flight limit (Temporal 1.28, service/history/workflow/update):
/// an admitted update is aborted with NotFound "workflow execution already completed" (abort_reason.go,
/// consts.ErrWorkflowCompleted); an accepted one completes with the AcceptedUpdateCompletedWorkflow failure
/// (errors_failures.go); at most 10 updates per run may be admitted or accepted and not completed
/// (history.maxInFlightUpdates), the next one is refused with RESOURCE_EXHAUSTED (registry.go checkInFlightLimit).
/// An admitted update whose run continues into a new one gets the retryable ErrWorkflowClosing instead
/// (AbortReasonWorkflowContinuing), so the client's retry lands on the new run.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class UpdateCloseAndLimitTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task AdmittedUpdate_WorkflowTerminated_NotFoundWorkflowExecutionAlreadyCompleted()
    {
        // No worker polls the queue, so the update stays admitted.
        var handle = await Client.StartWorkflowAsync((HeldUpdateWorkflow wf) => wf.RunAsync(),
            new(ServerFixture.NewWorkflowId("upd-close"), ServerFixture.NewTaskQueue("upd-nobody")));
        var updateId = Guid.NewGuid().ToString();
        var update = Client.Connection.WorkflowService.UpdateWorkflowExecutionAsync(UpdateRequest(handle.Id, updateId, "Hold"));
        await Wait.UntilAsync(
            () => AdmittedAsync(handle.Id, updateId),
            admitted => admitted,
            "the update to be admitted");

        await handle.TerminateAsync("closing under an admitted update");

        var e = await Assert.ThrowsAsync<RpcException>(() => update.WithTimeout("the admitted update to be aborted"));
        Assert.Equal(RpcException.StatusCode.NotFound, e.Code);
        Assert.Equal("workflow execution already completed", e.Message);
    }

    [Fact]
    public async Task AdmittedUpdate_RunContinuesAsNew_RetryableBusyWorkflowThenAdmittedOnNewRun()
    {
        var taskQueue = ServerFixture.NewTaskQueue("upd-can");
        var workflowId = ServerFixture.NewWorkflowId("upd-can");
        var service = Client.Connection.WorkflowService;
        var first = await service.StartWorkflowExecutionAsync(new StartWorkflowExecutionRequest
        {
            Namespace = Client.Options.Namespace,
            WorkflowId = workflowId,
            WorkflowType = new WorkflowType { Name = "RawContinuing" },
            TaskQueue = RawWorker.NormalQueue(taskQueue),
            RequestId = Guid.NewGuid().ToString(),
        });
        var task = await RawWorker.PollWorkflowTaskAsync(Client, taskQueue).WithTimeout("the first workflow task");
        Assert.False(task.TaskToken.IsEmpty, "the poll should hand out the first workflow task");

        // The update arrives while the task that continues the run as new is running.
        var updateId = Guid.NewGuid().ToString();
        var update = service.UpdateWorkflowExecutionAsync(UpdateRequest(workflowId, updateId, "Hold"));
        await Wait.UntilAsync(() => AdmittedAsync(workflowId, updateId), admitted => admitted, "the update to be admitted");
        await service.RespondWorkflowTaskCompletedAsync(RawWorker.Completion(task.TaskToken, new Command
        {
            CommandType = CommandType.ContinueAsNewWorkflowExecution,
            ContinueAsNewWorkflowExecutionCommandAttributes = new ContinueAsNewWorkflowExecutionCommandAttributes
            {
                WorkflowType = new WorkflowType { Name = "RawContinuing" },
                TaskQueue = RawWorker.NormalQueue(taskQueue),
            },
        }));

        var e = await Assert.ThrowsAsync<RpcException>(() => update.WithTimeout("the admitted update to be aborted"));
        Assert.Equal(RpcException.StatusCode.ResourceExhausted, e.Code);
        Assert.Equal("workflow operation can not be applied because workflow is closing", e.Message);
        Assert.True(Assert.Single(e.GrpcStatus.Value!.Details).TryUnpack(out ResourceExhaustedFailure exhausted));
        Assert.Equal(ResourceExhaustedCause.BusyWorkflow, exhausted.Cause);

        // The client's retry reaches the new run. (Waiting only for ADMITTED is refused, as by Temporal: ask for ACCEPTED
        // with a short deadline, and the server answers with the stage reached when its long poll ends.)
        var retry = UpdateRequest(workflowId, updateId, "Hold");
        retry.WaitPolicy.LifecycleStage = UpdateWorkflowExecutionLifecycleStage.Accepted;
        var admitted = await service.UpdateWorkflowExecutionAsync(retry, new Temporalio.Client.RpcOptions { Timeout = TimeSpan.FromSeconds(3) });
        Assert.Equal(UpdateWorkflowExecutionLifecycleStage.Admitted, admitted.Stage);
        Assert.NotEqual(first.RunId, admitted.UpdateRef.WorkflowExecution.RunId);
        await Client.GetWorkflowHandle(workflowId).TerminateAsync("done");
    }

    [Fact]
    public async Task AcceptedUpdate_WorkflowCompletes_UpdateFailsWithAcceptedUpdateCompletedWorkflow()
    {
        var taskQueue = ServerFixture.NewTaskQueue("upd-close");
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<HeldUpdateWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((HeldUpdateWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("upd-close"), taskQueue));
            var update = await handle.StartUpdateAsync(wf => wf.HoldAsync(), new(WorkflowUpdateStage.Accepted));

            await handle.SignalAsync(wf => wf.FinishAsync());
            await handle.GetResultAsync().WithTimeout("workflow to finish with the update accepted");

            var e = await Assert.ThrowsAsync<WorkflowUpdateFailedException>(() => update.GetResultAsync().WithTimeout("accepted update outcome"));
            var failure = Assert.IsType<ApplicationFailureException>(e.InnerException);
            Assert.Equal("AcceptedUpdateCompletedWorkflow", failure.ErrorType);
            Assert.Equal("Workflow Update failed because the Workflow completed before the Update completed.", failure.Message);
        });
    }

    [Fact]
    public async Task ElevenUpdatesInFlight_EleventhRefused_ResourceExhaustedConcurrentLimit()
    {
        var taskQueue = ServerFixture.NewTaskQueue("upd-limit");
        using var worker = new TemporalWorker(Client, new TemporalWorkerOptions(taskQueue).AddWorkflow<HeldUpdateWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            var handle = await Client.StartWorkflowAsync((HeldUpdateWorkflow wf) => wf.RunAsync(), new(ServerFixture.NewWorkflowId("upd-limit"), taskQueue));
            var held = new List<WorkflowUpdateHandle>();
            for (var i = 0; i < 10; i++)
            {
                held.Add(await handle.StartUpdateAsync(wf => wf.HoldAsync(), new(WorkflowUpdateStage.Accepted)));
            }

            var e = await Assert.ThrowsAsync<RpcException>(() =>
                Client.Connection.WorkflowService.UpdateWorkflowExecutionAsync(UpdateRequest(handle.Id, Guid.NewGuid().ToString(), "Hold")));
            Assert.Equal(RpcException.StatusCode.ResourceExhausted, e.Code);
            Assert.Equal("limit on number of concurrent in-flight updates has been reached (10)", e.Message);
            var detail = Assert.Single(e.GrpcStatus.Value!.Details);
            Assert.True(detail.TryUnpack(out ResourceExhaustedFailure exhausted), $"detail is {detail.TypeUrl}");
            Assert.Equal(ResourceExhaustedCause.ConcurrentLimit, exhausted.Cause);
            Assert.Equal(ResourceExhaustedScope.Namespace, exhausted.Scope);

            // Completing the held ones frees the slots: the next update is admitted again.
            await handle.SignalAsync(wf => wf.ReleaseAsync());
            foreach (var update in held)
            {
                await update.GetResultAsync().WithTimeout("held update to complete");
            }
            await handle.ExecuteUpdateAsync(wf => wf.HoldAsync()).WithTimeout("an update after the held ones completed");
            await handle.TerminateAsync("done");
        });
    }

    private async Task<bool> AdmittedAsync(string workflowId, string updateId)
    {
        try
        {
            var response = await Client.Connection.WorkflowService.PollWorkflowExecutionUpdateAsync(new PollWorkflowExecutionUpdateRequest
            {
                Namespace = Client.Options.Namespace,
                UpdateRef = new UpdateRef { WorkflowExecution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = workflowId }, UpdateId = updateId },
                WaitPolicy = new WaitPolicy { LifecycleStage = UpdateWorkflowExecutionLifecycleStage.Admitted },
            });
            return response.Stage >= UpdateWorkflowExecutionLifecycleStage.Admitted;
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
        {
            return false;
        }
    }

    private UpdateWorkflowExecutionRequest UpdateRequest(string workflowId, string updateId, string name) => new()
    {
        Namespace = Client.Options.Namespace,
        WorkflowExecution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = workflowId },
        Request = new Request
        {
            Meta = new Meta { UpdateId = updateId, Identity = "e2e" },
            Input = new Input { Name = name },
        },
        WaitPolicy = new WaitPolicy { LifecycleStage = UpdateWorkflowExecutionLifecycleStage.Completed },
    };
}

/// <summary>Runs until signalled; its update handler holds every update (accepted, not completed) until released.</summary>
[Workflow]
public sealed class HeldUpdateWorkflow
{
    private bool _finish;
    private bool _release;

    [WorkflowRun]
    public async Task RunAsync() => await Workflow.WaitConditionAsync(() => _finish);

    [WorkflowUpdate("Hold")]
    public async Task HoldAsync() => await Workflow.WaitConditionAsync(() => _release);

    [WorkflowSignal]
    public Task FinishAsync()
    {
        _finish = true;
        return Task.CompletedTask;
    }

    [WorkflowSignal]
    public Task ReleaseAsync()
    {
        _release = true;
        return Task.CompletedTask;
    }
}

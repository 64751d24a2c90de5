using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.ErrorDetails.V1;
using Temporalio.Api.Query.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using Temporalio.Converters;
using Temporalio.Exceptions;

namespace Tempora.EndToEnd.Tests;

/// <summary>
/// Queries that meet a workflow task in flight (Temporal 1.28, service/history/api/queryworkflow/api.go): while the run
/// has a workflow task scheduled or started, or has completed none, a query is buffered (one at a time,
/// history.MaxBufferedQueryCount) and handed to the worker with the next workflow task it starts, in the poll
/// response's queries map (recordworkflowtaskstarted/api.go); the worker answers in RespondWorkflowTaskCompleted's
/// query_results. A completion that schedules no new task lets the unanswered ones go to the worker as query tasks
/// (respondworkflowtaskcompleted/api.go handleBufferedQueries).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class QueryBufferingTests(ServerFixture fixture)
{
    private TemporalClient Client => fixture.Client;

    [Fact]
    public async Task Query_WhileWorkflowTasksKeepComing_DeliveredInTaskQueriesMapAndAnsweredByCompletion()
    {
        var taskQueue = ServerFixture.NewTaskQueue("query-buffer");
        var workflowId = await StartAsync(taskQueue);
        var task = await RawWorker.PollWorkflowTaskAsync(Client, taskQueue).WithTimeout("the first workflow task");

        var query = Client.Connection.WorkflowService.QueryWorkflowAsync(Query(workflowId), new RpcOptions { Timeout = TimeSpan.FromSeconds(30) });
        // Heartbeat the workflow (each completion asks for a new task) until a task carries the query.
        var deadline = DateTime.UtcNow + Wait.DefaultTimeout;
        while (task.Queries.Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no workflow task carried the query");
            var heartbeat = RawWorker.Completion(task.TaskToken);
            heartbeat.ForceCreateNewWorkflowTask = true;
            await Client.Connection.WorkflowService.RespondWorkflowTaskCompletedAsync(heartbeat);
            task = await RawWorker.PollWorkflowTaskAsync(Client, taskQueue).WithTimeout("the next workflow task");
            Assert.False(task.TaskToken.IsEmpty, "a heartbeat completion should schedule a new workflow task");
        }

        var (queryId, delivered) = Assert.Single(task.Queries);
        Assert.Equal("state", delivered.QueryType);
        Assert.Null(task.Query);
        Assert.False(query.IsCompleted, "the query waits for the worker's answer");

        // Only one query may wait in the buffer.
        var second = await Assert.ThrowsAsync<RpcException>(() => Client.Connection.WorkflowService.QueryWorkflowAsync(Query(workflowId)));
        Assert.Equal(RpcException.StatusCode.ResourceExhausted, second.Code);
        Assert.Equal("consistent query buffer is full, this may be caused by too many queries and workflow not able to process query fast enough",
            second.Message);
        Assert.True(Assert.Single(second.GrpcStatus.Value!.Details).TryUnpack(out ResourceExhaustedFailure exhausted));
        Assert.Equal(ResourceExhaustedCause.BusyWorkflow, exhausted.Cause);

        var completion = RawWorker.Completion(task.TaskToken);
        completion.QueryResults[queryId] = new WorkflowQueryResult
        {
            ResultType = QueryResultType.Answered,
            Answer = new Payloads { Payloads_ = { DataConverter.Default.PayloadConverter.ToPayload("answered with the task") } },
        };
        await Client.Connection.WorkflowService.RespondWorkflowTaskCompletedAsync(completion);

        var answer = await query.WithTimeout("the query answer");
        Assert.Equal("answered with the task", DataConverter.Default.PayloadConverter.ToValue<string>(answer.QueryResult.Payloads_[0]));
        await Client.GetWorkflowHandle(workflowId).TerminateAsync("done");
    }

    [Fact]
    public async Task Query_DuringTaskThatSchedulesNoOther_GoesToWorkerAsQueryTaskAfterCompletion()
    {
        var taskQueue = ServerFixture.NewTaskQueue("query-buffer");
        var workflowId = await StartAsync(taskQueue);
        var task = await RawWorker.PollWorkflowTaskAsync(Client, taskQueue).WithTimeout("the first workflow task");

        var query = Client.Connection.WorkflowService.QueryWorkflowAsync(Query(workflowId), new RpcOptions { Timeout = TimeSpan.FromSeconds(30) });
        await Client.Connection.WorkflowService.RespondWorkflowTaskCompletedAsync(
            RawWorker.Completion(task.TaskToken, RawWorker.TimerCommand("t", TimeSpan.FromHours(1))));

        var queryTask = await RawWorker.PollWorkflowTaskAsync(Client, taskQueue).WithTimeout("the query task");
        Assert.Equal("state", queryTask.Query?.QueryType);
        Assert.Empty(queryTask.Queries);
        await Client.Connection.WorkflowService.RespondQueryTaskCompletedAsync(new RespondQueryTaskCompletedRequest
        {
            Namespace = Client.Options.Namespace,
            TaskToken = queryTask.TaskToken,
            CompletedType = QueryResultType.Answered,
            QueryResult = new Payloads { Payloads_ = { DataConverter.Default.PayloadConverter.ToPayload("answered as a query task") } },
        });

        var answer = await query.WithTimeout("the query answer");
        Assert.Equal("answered as a query task", DataConverter.Default.PayloadConverter.ToValue<string>(answer.QueryResult.Payloads_[0]));
        await Client.GetWorkflowHandle(workflowId).TerminateAsync("done");
    }

    [Fact]
    public async Task Query_SdkWorker_QueriesRacingSignalsSeeEveryEarlierSignal()
    {
        var taskQueue = ServerFixture.NewTaskQueue("query-buffer-sdk");
        using var worker = new Temporalio.Worker.TemporalWorker(Client,
            new TemporalWorkerOptions(taskQueue).AddWorkflow<WaitForFinishWorkflow>());
        await worker.ExecuteAsync(async () =>
        {
            // Queried at once: before any workflow task completed, so the query rides with the first task.
            var handle = await Client.StartWorkflowAsync((WaitForFinishWorkflow wf) => wf.RunAsync(),
                new(ServerFixture.NewWorkflowId("query-buffer-sdk"), taskQueue));
            Assert.Equal("waiting", await handle.QueryAsync(wf => wf.State()).WithTimeout("the first query"));

            // A signal then a query: the query waits behind the signal's workflow task, so it sees the signal.
            await handle.SignalAsync(wf => wf.FinishAsync("finished"));
            Assert.Equal("finished", await handle.QueryAsync(wf => wf.State()).WithTimeout("the query after the signal"));
            Assert.Equal("finished", await handle.GetResultAsync().WithTimeout("the workflow result"));
        });
    }

    private async Task<string> StartAsync(string taskQueue)
    {
        var workflowId = ServerFixture.NewWorkflowId("query-buffer");
        await Client.Connection.WorkflowService.StartWorkflowExecutionAsync(new StartWorkflowExecutionRequest
        {
            Namespace = Client.Options.Namespace,
            WorkflowId = workflowId,
            WorkflowType = new WorkflowType { Name = "RawQueried" },
            TaskQueue = RawWorker.NormalQueue(taskQueue),
            RequestId = Guid.NewGuid().ToString(),
        });
        return workflowId;
    }

    private QueryWorkflowRequest Query(string workflowId) => new()
    {
        Namespace = Client.Options.Namespace,
        Execution = new Temporalio.Api.Common.V1.WorkflowExecution { WorkflowId = workflowId },
        Query = new WorkflowQuery { QueryType = "state" },
    };
}

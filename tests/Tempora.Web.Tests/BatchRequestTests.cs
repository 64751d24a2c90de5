using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Tempora.Web.Pages;
using Temporalio.Api.Common.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Web.Tests;

#pragma warning disable CS0612 // StartBatchOperationRequest.executions: deprecated in the package's newer API, the field Temporal 1.28 reads

/// <summary>
/// What the workflow list's batch forms send: the StartBatchOperation request built from a confirmed form, without a
/// server (the browser tests post the forms themselves).
/// </summary>
public sealed class BatchRequestTests
{
    [Fact]
    public void Build_SelectedRows_SendsTheirExecutionsAndNoQuery()
    {
        var request = Build(BatchOperationKind.Terminate, Form(
            ("scope", "selected"), ("filterQuery", "WorkflowType = 'Order'"),
            ("execution", "run-1:order-1"), ("execution", "run-2:odd:id"), ("reason", "incident 7")));

        Assert.Equal(new[] { ("order-1", "run-1"), ("odd:id", "run-2") }, request.Executions.Select(e => (e.WorkflowId, e.RunId)));
        Assert.Empty(request.VisibilityQuery);
        Assert.Equal("incident 7", request.Reason);
        Assert.Equal("default", request.Namespace);
        Assert.Equal(WorkflowActions.Identity, request.TerminationOperation.Identity);
        Assert.True(Guid.TryParse(request.JobId, out _));
    }

    [Fact]
    public void Build_AllMatchingTerminate_SendsTheListsFilterNarrowedToRunning()
    {
        var request = Build(BatchOperationKind.Terminate, Form(
            ("scope", "all"), ("filterQuery", "CustomerId = 'c-1' OR CustomerId = 'c-2'"), ("filterType", "Order"), ("execution", "run-1:ignored")));

        Assert.Empty(request.Executions);
        Assert.Equal("(CustomerId = 'c-1' OR CustomerId = 'c-2') AND WorkflowType = 'Order' AND ExecutionStatus = 'Running'", request.VisibilityQuery);
        Assert.Equal("terminate from the web UI", request.Reason);
    }

    [Fact]
    public void Build_AllMatchingReset_KeepsClosedRunsAndTheStatusFilter()
    {
        var first = Build(BatchOperationKind.Reset, Form(("scope", "all"), ("filterQuery", "WorkflowType = 'Order'"), ("filterStatus", "Failed"), ("resetTo", "first")));
        var last = Build(BatchOperationKind.Reset, Form(("scope", "all"), ("filterQuery", "WorkflowType = 'Order'"), ("resetTo", "last")));

        Assert.Equal("(WorkflowType = 'Order') AND ExecutionStatus = 'Failed'", first.VisibilityQuery);
        Assert.Equal(ResetOptions.TargetOneofCase.FirstWorkflowTask, first.ResetOperation.Options.TargetCase);
        Assert.Equal("WorkflowType = 'Order'", last.VisibilityQuery);
        Assert.Equal(ResetOptions.TargetOneofCase.LastWorkflowTask, last.ResetOperation.Options.TargetCase);
        Assert.Equal(WorkflowActions.Identity, last.ResetOperation.Identity);
    }

    [Fact]
    public void Build_ResetToABuild_SendsTheBuildIdTarget_AndRefusesNone()
    {
        var request = Build(BatchOperationKind.Reset, Form(("scope", "all"), ("filterQuery", "WorkflowType = 'Order'"), ("resetTo", "build"), ("buildId", " v2 ")));
        var error = Assert.Throws<ActionInputException>(() =>
            Build(BatchOperationKind.Reset, Form(("scope", "all"), ("filterQuery", "WorkflowType = 'Order'"), ("resetTo", "build"), ("buildId", " "))));

        Assert.Equal((ResetOptions.TargetOneofCase.BuildId, "v2"), (request.ResetOperation.Options.TargetCase, request.ResetOperation.Options.BuildId));
        Assert.Equal("WorkflowType = 'Order'", request.VisibilityQuery);
        Assert.Equal("Give the build id whose first workflow task each run goes back to.", error.Message);
    }

    [Fact]
    public void Build_RunningStatusFilter_IsNotRepeated()
    {
        var request = Build(BatchOperationKind.Cancel, Form(("scope", "all"), ("filterStatus", "Running")));

        Assert.Equal("ExecutionStatus = 'Running'", request.VisibilityQuery);
        Assert.Equal(WorkflowActions.Identity, request.CancellationOperation.Identity);
    }

    [Fact]
    public void Build_Signal_SendsNameAndJsonArguments()
    {
        var request = Build(BatchOperationKind.Signal, Form(
            ("scope", "selected"), ("execution", "run-1:a"), ("name", "Finish"), ("input", "[\"x\", 2]"), ("spread", "1")));

        Assert.Equal("Finish", request.SignalOperation.Signal);
        Assert.Equal(new[] { "\"x\"", "2" }, request.SignalOperation.Input.Payloads_.Select(p => Encoding.UTF8.GetString(p.Data.ToByteArray())));
        Assert.Equal("json/plain", request.SignalOperation.Input.Payloads_[0].Metadata["encoding"].ToStringUtf8());
    }

    [Theory]
    [InlineData("signal", "name", "", "Give a signal name.")]
    [InlineData("signal", "input", "{not json", "The input is not valid JSON")]
    [InlineData("reset", "resetTo", "middle", "Choose the workflow task to reset to")]
    public void Build_BadInput_IsRefusedWithWhatToChange(string operation, string field, string value, string message)
    {
        var form = Form(("scope", "selected"), ("execution", "run-1:a"), (field == "name" ? "input" : "name", field == "name" ? "" : "Finish"), (field, value));

        var error = Assert.Throws<ActionInputException>(() => Build(BatchOperationKind.Find(operation)!, form));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("no-colon")]
    [InlineData(":workflow-without-run")]
    public void Read_NoUsableSelection_IsRefused(string? execution)
    {
        var form = execution is null ? Form(("scope", "selected")) : Form(("scope", "selected"), ("execution", execution));

        Assert.Throws<ActionInputException>(() => BatchSelection.Read(form));
    }

    private static StartBatchOperationRequest Build(BatchOperationKind kind, IFormCollection form) =>
        BatchActions.Build("default", Guid.NewGuid().ToString(), kind, BatchSelection.Read(form), form);

    private static FormCollection Form(params (string Name, string Value)[] fields) =>
        new(fields.GroupBy(f => f.Name).ToDictionary(g => g.Key, g => new StringValues(g.Select(f => f.Value).ToArray())));
}

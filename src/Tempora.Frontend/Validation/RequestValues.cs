using Google.Protobuf;
using Google.Protobuf.Reflection;
using Tempora.History.Validation;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// Every request an implemented RPC receives is looked through for unusable values (<see cref="WellFormedFields"/>)
/// before its handler runs, so that none reaches the engine, where a bad duration or timestamp would throw and answer
/// Internal, or an unknown enum number would be read as some default.
/// </summary>
internal static class RequestValues
{
    /// <summary>
    /// Checked elsewhere, with their own error: a workflow task's commands fail the task with the command's
    /// BAD_*_ATTRIBUTES cause (WorkflowTaskCompletion), and each operation of update-with-start is reported in the
    /// per-operation statuses (UnsupportedFields.Check(ExecuteMultiOperationRequest)).
    /// </summary>
    private static readonly FieldDescriptor[] CheckedElsewhere =
    [
        RespondWorkflowTaskCompletedRequest.Descriptor.FindFieldByNumber(RespondWorkflowTaskCompletedRequest.CommandsFieldNumber),
        ExecuteMultiOperationRequest.Descriptor.FindFieldByNumber(ExecuteMultiOperationRequest.OperationsFieldNumber),
    ];

    public static void Check(IMessage request) => WellFormedFields.Check(request, field => Array.IndexOf(CheckedElsewhere, field) >= 0);
}

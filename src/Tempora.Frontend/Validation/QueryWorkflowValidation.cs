using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Validation;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.Frontend.Validation;

internal static class QueryWorkflowValidation
{
    public static void Validate(QueryWorkflowRequest r, PayloadLimits limits)
    {
        if (string.IsNullOrEmpty(r.Query?.QueryType))
        {
            throw new InvalidArgumentException("QueryType is not set on request.");
        }
        RequestChecks.CheckBlob(limits, r.Query.QueryArgs, "query args");
        RequestChecks.CheckBlob(limits, r.Query.Header, "header");
        RequestFields.CheckExecution(r.Execution);
    }
}

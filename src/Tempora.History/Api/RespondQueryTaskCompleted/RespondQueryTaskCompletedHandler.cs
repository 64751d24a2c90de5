using Tempora.Core;
using Tempora.Core.Errors;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

internal sealed class RespondQueryTaskCompletedHandler(QueryTaskRegistry queryTasks, PayloadLimits limits)
{
    public void Handle(RespondQueryTaskCompletedRequest r)
    {
        if (limits.IsBlobTooLarge(r.QueryResult))
        {
            // As Temporal: an answer too large to pass on becomes a failed one.
            r = new RespondQueryTaskCompletedRequest
            {
                TaskToken = r.TaskToken,
                CompletedType = QueryResultType.Failed,
                ErrorMessage = "Blob data size exceeds limit.",
            };
        }
        var token = TaskToken.Deserialize(r.TaskToken.Span);
        if (string.IsNullOrEmpty(token.QueryId) || !queryTasks.TryGet(token.QueryId, out var query))
        {
            throw new EntityNotFoundException("query task not found, or already expired");
        }
        query.Answer.TrySetResult(r);
    }
}

using Tempora.Web.Markup;
using Temporalio.Api.Enums.V1;

namespace Tempora.Web.Pages;

/// <summary>How a batch operation's state and type read on the batch pages.</summary>
internal static class BatchView
{
    public static Html State(BatchOperationState state)
    {
        var name = state == BatchOperationState.Unspecified ? "Unknown" : state.ToString();
        return Html.Of($"<span class=\"status batch-state-{name.ToLowerInvariant()}\">{name}</span>");
    }

    public static string Type(BatchOperationType type) => type switch
    {
        BatchOperationType.Unspecified => "–",
        BatchOperationType.UpdateExecutionOptions => "Update execution options",
        _ => type.ToString(),
    };
}

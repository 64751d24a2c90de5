using Tempora.Core.Errors;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;

namespace Tempora.History.Api;

/// <summary>
/// What a reset does not reapply: reset_reapply_exclude_types, plus the deprecated reset_reapply_type (as Temporal
/// reads them); InvalidArgument for an unknown value. The frontend calls it to validate the request, history to reset.
/// </summary>
public static class ResetExclusions
{
    public static (bool Signals, bool Updates) Of(ResetWorkflowExecutionRequest r)
    {
        var (signals, updates) = r.ResetReapplyType switch
        {
            ResetReapplyType.Unspecified or ResetReapplyType.AllEligible => (false, false),
            ResetReapplyType.Signal => (false, true),
            ResetReapplyType.None => (true, true),
            _ => throw new InvalidArgumentException($"Unknown ResetReapplyType {(int)r.ResetReapplyType}."),
        };
        foreach (var exclude in r.ResetReapplyExcludeTypes)
        {
            switch (exclude)
            {
                case ResetReapplyExcludeType.Signal:
                    signals = true;
                    break;
                case ResetReapplyExcludeType.Update:
                    updates = true;
                    break;
                case ResetReapplyExcludeType.Unspecified or ResetReapplyExcludeType.Nexus:
                    break; // no Nexus events exist here to reapply
#pragma warning disable CS0612 // deprecated, still sent by `temporal workflow reset --reapply-exclude All`
                case ResetReapplyExcludeType.CancelRequest:
#pragma warning restore CS0612
                    break; // a reset never carries cancel requests over (as Temporal)
                default:
                    throw new InvalidArgumentException($"Unknown ResetReapplyExcludeType {(int)exclude}.");
            }
        }
        return (signals, updates);
    }
}

using Grpc.Core;
using Tempora.Core.Errors;
using Tempora.History;
using Tempora.History.Nexus;
using Temporalio.Api.Common.V1;

namespace Tempora.Frontend.Validation;

/// <summary>
/// A start's completion callbacks, checked as Temporal 1.28's frontend checks them (validateWorkflowCompletionCallbacks).
/// Tempora delivers completions only inside the server: the one callback address it accepts is the one it hands to
/// Nexus handlers (<see cref="NexusCallbackToken.SystemCallbackUrl"/>), as a Temporal with no callback address
/// configured accepts none.
/// </summary>
internal static class CompletionCallbackValidation
{
    public static void Check(IReadOnlyCollection<Callback> callbacks)
    {
        if (callbacks.Count > HistoryLimits.MaxCallbacksPerWorkflow)
        {
            throw new InvalidArgumentException($"cannot attach more than {HistoryLimits.MaxCallbacksPerWorkflow} callbacks to a workflow");
        }
        foreach (var callback in callbacks)
        {
            if (callback.Nexus is not { } nexus)
            {
                throw new RpcException(new Status(StatusCode.Unimplemented, $"unknown callback variant: {callback.VariantCase}"));
            }
            if (nexus.Url.Length > HistoryLimits.MaxCallbackUrlLength)
            {
                throw new InvalidArgumentException($"invalid url: url length longer than max length allowed of {HistoryLimits.MaxCallbackUrlLength}");
            }
            if (nexus.Url != NexusCallbackToken.SystemCallbackUrl)
            {
                throw new InvalidArgumentException($"invalid url: url does not match any configured callback address: {nexus.Url}");
            }
            var headerSize = nexus.Header.Sum(kv => System.Text.Encoding.UTF8.GetByteCount(kv.Key) + System.Text.Encoding.UTF8.GetByteCount(kv.Value));
            if (headerSize > HistoryLimits.MaxCallbackHeaderSize)
            {
                throw new InvalidArgumentException($"invalid header: header size longer than max allowed size of {HistoryLimits.MaxCallbackHeaderSize}");
            }
            NexusCallbackToken.Parse(NexusCallbackToken.FromHeader(nexus.Header) ?? "");
        }
    }
}

using Tempora.Core.Errors;
using Temporalio.Api.Common.V1;

namespace Tempora.History.Validation;

/// <summary>
/// Links a request attaches to the event it causes (start, signal, cancel request, termination), checked as Temporal's
/// frontend checks them: at most 10 per request, 4,000 bytes each, and only the variants it accepts.
/// </summary>
public static class RequestLinks
{
    private const int MaxPerRequest = 10;
    private const int MaxSize = 4_000;

    public static void Validate(IReadOnlyCollection<Link> links)
    {
        if (links.Count > MaxPerRequest)
        {
            throw new InvalidArgumentException($"cannot attach more than {MaxPerRequest} links per request, got {links.Count}");
        }
        foreach (var link in links)
        {
            if (link.CalculateSize() > MaxSize)
            {
                throw new InvalidArgumentException($"link exceeds allowed size of {MaxSize}, got {link.CalculateSize()}");
            }
            switch (link.VariantCase)
            {
                case Link.VariantOneofCase.WorkflowEvent:
                    var e = link.WorkflowEvent;
                    if (string.IsNullOrEmpty(e.Namespace))
                    {
                        throw new InvalidArgumentException("workflow event link must not have an empty namespace field");
                    }
                    if (string.IsNullOrEmpty(e.WorkflowId))
                    {
                        throw new InvalidArgumentException("workflow event link must not have an empty workflow ID field");
                    }
                    if (string.IsNullOrEmpty(e.RunId))
                    {
                        throw new InvalidArgumentException("workflow event link must not have an empty run ID field");
                    }
                    if (e.EventRef is { EventType: Temporalio.Api.Enums.V1.EventType.Unspecified, EventId: not 0 })
                    {
                        throw new InvalidArgumentException("workflow event link ref cannot have an unspecified event type and a non-zero event ID");
                    }
                    break;
                case Link.VariantOneofCase.BatchJob:
                    if (string.IsNullOrEmpty(link.BatchJob.JobId))
                    {
                        throw new InvalidArgumentException("batch job link must not have an empty job ID");
                    }
                    break;
                default:
                    throw new InvalidArgumentException("unsupported link variant");
            }
        }
    }
}

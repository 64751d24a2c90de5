using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Sdk.V1;

namespace Tempora.History;

/// <summary>
/// How much a request or a workflow command may carry: Temporal's defaults, each configurable under the name of
/// Temporal's dynamic-config key it mirrors (temporal-compat.md §7).
/// </summary>
public sealed record PayloadLimits
{
    /// <summary>Bytes of one payload-bearing field: input, result, failure, details, header (limit.blobSize.error).</summary>
    public int BlobSizeError { get; init; } = 2 * 1024 * 1024;

    /// <summary>Bytes of a run's memo (limit.memoSize.error).</summary>
    public int MemoSizeError { get; init; } = 2 * 1024 * 1024;

    /// <summary>Bytes of user metadata's summary (limit.userMetadataSummarySize).</summary>
    public int UserMetadataSummarySize { get; init; } = 400;

    /// <summary>Bytes of user metadata's details (limit.userMetadataDetailsSize).</summary>
    public int UserMetadataDetailsSize { get; init; } = 20_000;

    /// <summary>Search attributes one request or command may set (frontend.searchAttributesNumberOfKeysLimit).</summary>
    public int SearchAttributesNumberOfKeys { get; init; } = 100;

    /// <summary>Bytes of one search attribute's value (frontend.searchAttributesSizeOfValueLimit).</summary>
    public int SearchAttributesSizeOfValue { get; init; } = 2 * 1024;

    /// <summary>Bytes of a run's search attributes together (frontend.searchAttributesTotalSizeLimit).</summary>
    public int SearchAttributesTotalSize { get; init; } = 40 * 1024;

    /// <summary>Whether <paramref name="message"/> is over <see cref="BlobSizeError"/>.</summary>
    public bool IsBlobTooLarge(IMessage? message) => message is not null && message.CalculateSize() > BlobSizeError;

    /// <summary>Whether <paramref name="memo"/> is over <see cref="MemoSizeError"/>.</summary>
    public bool IsMemoTooLarge(Memo? memo) => memo is not null && memo.CalculateSize() > MemoSizeError;

    /// <summary>Why <paramref name="metadata"/> is refused, in the words of Temporal's validator; null when it fits.</summary>
    public string? UserMetadataProblem(UserMetadata? metadata)
    {
        var summary = metadata?.Summary?.CalculateSize() ?? 0;
        if (summary > UserMetadataSummarySize)
        {
            return $"user_metadata.summary exceeds size limit. Length={summary} Limit={UserMetadataSummarySize}";
        }
        var details = metadata?.Details?.CalculateSize() ?? 0;
        return details > UserMetadataDetailsSize
            ? $"user_metadata.details exceeds size limit. Length={details} Limit={UserMetadataDetailsSize}"
            : null;
    }

    /// <summary>Too many keys, in the words of Temporal's validator (checked before names and types); null when within.</summary>
    public string? SearchAttributesCountProblem(SearchAttributes? attributes)
    {
        var count = attributes?.IndexedFields.Count ?? 0;
        return count > SearchAttributesNumberOfKeys
            ? $"number of search attributes {count} exceeds limit {SearchAttributesNumberOfKeys}"
            : null;
    }

    /// <summary>
    /// A value of <paramref name="attributes"/> too large, or <paramref name="whole"/> (the run's attributes once these
    /// are applied; by default these alone) too large in all, in the words of Temporal's validator; null when within.
    /// Only the values being set are measured one by one: the server-maintained BuildIds keeps itself under 2 KiB.
    /// </summary>
    public string? SearchAttributesSizeProblem(SearchAttributes? attributes, SearchAttributes? whole = null)
    {
        if (attributes is null)
        {
            return null;
        }
        foreach (var (name, value) in attributes.IndexedFields)
        {
            if (value.Data.Length > SearchAttributesSizeOfValue)
            {
                return $"search attribute {name} value size {value.Data.Length} exceeds size limit {SearchAttributesSizeOfValue}";
            }
        }
        var total = (whole ?? attributes).CalculateSize();
        return total > SearchAttributesTotalSize
            ? $"total size of search attributes {total} exceeds size limit {SearchAttributesTotalSize}"
            : null;
    }
}

using Google.Protobuf.Collections;
using Temporalio.Api.Common.V1;

namespace Tempora.History.Execution;

/// <summary>
/// Upserts of memo and search attributes. Each builds a new message: the current one may be shared with a written
/// event (the run's first event holds the initial memo), and written history never changes.
/// </summary>
internal static class MapUpserts
{
    public static Memo Merged(Memo? current, Memo? upserts)
    {
        var merged = new Memo();
        Merge(merged.Fields, current?.Fields, upserts?.Fields);
        return merged;
    }

    public static SearchAttributes Merged(SearchAttributes? current, SearchAttributes? upserts)
    {
        var merged = new SearchAttributes();
        Merge(merged.IndexedFields, current?.IndexedFields, upserts?.IndexedFields);
        return merged;
    }

    /// <summary>An entry whose payload is empty, JSON null or an empty list removes the key (§5.10).</summary>
    public static bool IsRemoval(Payload? payload)
    {
        var data = payload?.Data;
        return data is null || data.IsEmpty || data.Span.SequenceEqual("null"u8) || data.Span.SequenceEqual("[]"u8);
    }

    private static void Merge(MapField<string, Payload> target, MapField<string, Payload>? current, MapField<string, Payload>? upserts)
    {
        if (current is not null)
        {
            target.Add(current);
        }
        if (upserts is null)
        {
            return;
        }
        foreach (var (name, payload) in upserts)
        {
            if (IsRemoval(payload))
            {
                target.Remove(name);
            }
            else
            {
                target[name] = payload;
            }
        }
    }
}

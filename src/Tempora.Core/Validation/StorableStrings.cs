using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Tempora.Core.Validation;

/// <summary>
/// Strings every store can hold. PostgreSQL's text and jsonb refuse NUL (U+0000), and an unpaired UTF-16 surrogate has
/// no UTF-8 form (it would be stored as U+FFFD, another string), so such a string is refused before it reaches a
/// store, on SQLite too, so that what a request may carry does not depend on the store. <see cref="Find"/> walks every
/// string of a protobuf message by reflection: fields, repeated fields, map keys and values, nested messages.
/// </summary>
public static class StorableStrings
{
    private static readonly ConcurrentDictionary<MessageDescriptor, FieldDescriptor[]> Plans = new();

    /// <summary>
    /// Free text that is only ever stored inside protobuf blobs (history events, mutable state), where a NUL is just a
    /// byte: an exception's message and stack trace. Temporal accepts them as they are, and refusing them would leave a
    /// worker unable to report an exception whose message holds a NUL (its activity would retry until it timed out).
    /// </summary>
    private static readonly HashSet<string> BlobOnlyText = new(StringComparer.Ordinal)
    {
        "temporal.api.failure.v1.Failure.message",
        "temporal.api.failure.v1.Failure.stack_trace",
    };

    /// <summary>Null when <paramref name="value"/> is storable, else what is wrong with it (e.g. "contains a NUL character (U+0000) at index 3").</summary>
    public static string? Problem(string value)
    {
        var span = value.AsSpan();
        // Both searches are vectorized; a clean string (the common case) costs two passes over its chars.
        var nul = span.IndexOf('\0');
        var surrogate = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (surrogate >= 0)
        {
            surrogate = UnpairedSurrogate(span, surrogate);
        }
        if (nul < 0 && surrogate < 0)
        {
            return null;
        }
        return nul >= 0 && (surrogate < 0 || nul < surrogate)
            ? $"contains a NUL character (U+0000) at index {nul}"
            : $"contains an unpaired UTF-16 surrogate at index {surrogate}";
    }

    /// <summary>
    /// The first string of <paramref name="message"/> a store cannot hold, or null. Paths start with <paramref name="path"/>
    /// (e.g. the request's type name); <paramref name="skip"/> names fields not to walk.
    /// </summary>
    public static StringProblem? Find(IMessage message, string path = "", Func<FieldDescriptor, bool>? skip = null) =>
        Walk(message, skip) is { } problem ? problem.Under(path) : null;

    // Paths are built only for a problem, on the way back up: a clean request (the common case) allocates nothing for them.
    private static StringProblem? Walk(IMessage message, Func<FieldDescriptor, bool>? skip)
    {
        foreach (var field in Plans.GetOrAdd(message.Descriptor, Plan))
        {
            if (skip is not null && skip(field))
            {
                continue;
            }
            var value = field.Accessor.GetValue(message);
            if (value is null)
            {
                continue;
            }
            var problem = field switch
            {
                { IsMap: true } => WalkMap(field, (IDictionary)value, skip),
                { IsRepeated: true } => WalkList((IList)value, skip),
                _ => Check(value, skip),
            };
            if (problem is not null)
            {
                return problem.Under(field.Name);
            }
        }
        return null;
    }

    private static StringProblem? WalkList(IList list, Func<FieldDescriptor, bool>? skip)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (Check(list[i], skip) is { } problem)
            {
                return problem.Under(string.Create(CultureInfo.InvariantCulture, $"[{i}]"));
            }
        }
        return null;
    }

    private static StringProblem? WalkMap(FieldDescriptor field, IDictionary map, Func<FieldDescriptor, bool>? skip)
    {
        var keysAreStrings = field.MessageType.FindFieldByNumber(1).FieldType == FieldType.String;
        foreach (DictionaryEntry entry in map)
        {
            if (keysAreStrings && Problem((string)entry.Key) is { } keyProblem)
            {
                return new StringProblem($" key \"{Escape((string)entry.Key)}\"", keyProblem);
            }
            if (Check(entry.Value, skip) is { } problem)
            {
                var key = Escape(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                return problem.Under($"[\"{key}\"]");
            }
        }
        return null;
    }

    private static StringProblem? Check(object? value, Func<FieldDescriptor, bool>? skip) => value switch
    {
        string s when Problem(s) is { } problem => new StringProblem("", problem),
        IMessage nested => Walk(nested, skip),
        _ => null,
    };

    /// <summary>The fields of a message type that can hold a string, directly or in a nested message.</summary>
    private static FieldDescriptor[] Plan(MessageDescriptor descriptor)
    {
        var plan = new List<FieldDescriptor>();
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            if (!BlobOnlyText.Contains(field.FullName) && CanHoldStrings(field, [descriptor]))
            {
                plan.Add(field);
            }
        }
        return [.. plan];
    }

    private static bool CanHoldStrings(FieldDescriptor field, HashSet<MessageDescriptor> visiting)
    {
        if (field.FieldType == FieldType.String)
        {
            return true;
        }
        if (field.FieldType is not (FieldType.Message or FieldType.Group))
        {
            return false;
        }
        var type = field.MessageType;
        if (!visiting.Add(type))
        {
            return true; // a recursive reference (Failure.cause): walk it, its type is being planned and may hold strings
        }
        try
        {
            return type.Fields.InFieldNumberOrder().Any(f => CanHoldStrings(f, visiting));
        }
        finally
        {
            visiting.Remove(type);
        }
    }

    /// <summary>Index of the first surrogate from <paramref name="from"/> on that is not half of a pair, or -1.</summary>
    private static int UnpairedSurrogate(ReadOnlySpan<char> s, int from)
    {
        for (var i = from; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>A string safe to quote in an error message or log: control characters and surrogates escaped, at most 64 chars.</summary>
    public static string Escape(string value)
    {
        var text = new StringBuilder();
        foreach (var c in value.Length > 64 ? value[..64] : value)
        {
            if (char.IsControl(c) || char.IsSurrogate(c) || c is '"' or '\\')
            {
                text.Append(c is '"' or '\\' ? $"\\{c}" : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"));
            }
            else
            {
                text.Append(c);
            }
        }
        return value.Length > 64 ? text.Append('…').ToString() : text.ToString();
    }
}

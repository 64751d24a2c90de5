using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Tempora.History.Validation;

/// <summary>
/// Values protobuf parses without complaint but the engine cannot use, looked for in every field of a message, however
/// deeply nested: durations with seconds and nanos of different signs, nanos out of range, or negative (Temporal's
/// timestamp.ValidateAndCapProtoDuration); timestamps outside what a DateTime holds; enum numbers the API does not
/// define (protobuf keeps them as raw ints, which would otherwise read as some default); NaN or infinite numbers.
/// Durations over <see cref="MaxDuration"/> are capped in place, as Temporal caps them, so that no deadline computed
/// from them overflows.
/// </summary>
public static class WellFormedFields
{
    /// <summary>Temporal's cap on a duration (1.28: 100 years); a longer one is taken as this long.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(100 * 365);

    private static readonly long MaxDurationSeconds = (long)MaxDuration.TotalSeconds;

    // What Timestamp.ToDateTime accepts: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    /// <summary>
    /// The first problem found in <paramref name="message"/> as an error message naming the field, or null when
    /// every value is usable. Fields for which <paramref name="skip"/> answers true are not looked into (their
    /// caller checks them elsewhere, with its own error).
    /// </summary>
    public static string? Problem(IMessage message, Func<FieldDescriptor, bool>? skip = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return MessageProblem(message, skip, depth: 0) is { } problem
            ? $"Invalid {message.Descriptor.Name}{problem.Path}: {problem.Reason}"
            : null;
    }

    /// <summary>Throws <see cref="Core.Errors.InvalidArgumentException"/> with <see cref="Problem"/> when there is one.</summary>
    public static void Check(IMessage message, Func<FieldDescriptor, bool>? skip = null)
    {
        if (Problem(message, skip) is { } problem)
        {
            throw new Core.Errors.InvalidArgumentException(problem);
        }
    }

    /// <summary>What is wrong, and where below the message walked: the path is built on the way back up, only for a
    /// problem, so that a clean request (every request but a few) allocates nothing for it.</summary>
    private sealed record FieldProblem(string Path, string Reason)
    {
        public FieldProblem Under(string segment) => this with { Path = segment + Path };
    }

    private static readonly ConcurrentDictionary<MessageDescriptor, FieldDescriptor[]> Plans = new();

    /// <summary>The fields of a message type that can hold a bad value, in field-number order (computed once per type).</summary>
    private static FieldDescriptor[] Plan(MessageDescriptor descriptor) =>
        [.. descriptor.Fields.InFieldNumberOrder().Where(IsChecked)];

    private static FieldProblem? MessageProblem(IMessage message, Func<FieldDescriptor, bool>? skip, int depth)
    {
        switch (message)
        {
            case Duration d:
                return DurationProblem(d);
            case Timestamp t:
                return TimestampProblem(t);
            case Any or Struct or Value or ListValue:
                return null; // opaque to the server, or free-form JSON that it never interprets
        }
        if (depth > 100)
        {
            return null; // protobuf's own recursion limit stops deeper messages at parse time
        }
        foreach (var field in Plans.GetOrAdd(message.Descriptor, Plan))
        {
            if (skip?.Invoke(field) == true)
            {
                continue;
            }
            var problem = field.Accessor.GetValue(message) switch
            {
                null => null,
                IDictionary map when field.IsMap => MapProblem(map, field, skip, depth),
                IList list when field.IsRepeated => ListProblem(list, field, skip, depth),
                var value => ValueProblem(value, field, skip, depth),
            };
            if (problem is not null)
            {
                return problem.Under("." + field.Name);
            }
        }
        return null;
    }

    /// <summary>Only fields that can hold a bad value: messages, enums and floating-point numbers.</summary>
    private static bool IsChecked(FieldDescriptor field) =>
        field.FieldType is FieldType.Message or FieldType.Enum or FieldType.Double or FieldType.Float
        || (field.IsMap && field.MessageType.FindFieldByNumber(2).FieldType is FieldType.Message or FieldType.Enum);

    private static FieldProblem? MapProblem(IDictionary map, FieldDescriptor field, Func<FieldDescriptor, bool>? skip, int depth)
    {
        var valueField = field.MessageType.FindFieldByNumber(2);
        foreach (DictionaryEntry entry in map)
        {
            if (entry.Value is not null && ValueProblem(entry.Value, valueField, skip, depth) is { } problem)
            {
                return problem.Under($"[{entry.Key}]");
            }
        }
        return null;
    }

    private static FieldProblem? ListProblem(IList list, FieldDescriptor field, Func<FieldDescriptor, bool>? skip, int depth)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is { } item && ValueProblem(item, field, skip, depth) is { } problem)
            {
                return problem.Under(string.Create(CultureInfo.InvariantCulture, $"[{i}]"));
            }
        }
        return null;
    }

    private static FieldProblem? ValueProblem(object value, FieldDescriptor field, Func<FieldDescriptor, bool>? skip, int depth) =>
        field.FieldType switch
        {
            FieldType.Message when value is IMessage nested => MessageProblem(nested, skip, depth + 1),
            FieldType.Enum => EnumProblem(value, field.EnumType),
            FieldType.Double or FieldType.Float => NumberProblem(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            _ => null,
        };

    private static FieldProblem? EnumProblem(object value, EnumDescriptor type)
    {
        var number = Convert.ToInt32(value, CultureInfo.InvariantCulture);
        return type.FindValueByNumber(number) is null ? new("", $"{number} is not a value of {type.Name}.") : null;
    }

    private static FieldProblem? NumberProblem(double value) =>
        double.IsFinite(value) ? null : new("", $"{value.ToString(CultureInfo.InvariantCulture)} is not a finite number.");

    private static FieldProblem? DurationProblem(Duration d)
    {
        if ((d.Seconds > 0 && d.Nanos < 0) || (d.Seconds < 0 && d.Nanos > 0))
        {
            return new("", "duration has seconds and nanos with different signs.");
        }
        if (d.Nanos is <= -Duration.NanosecondsPerSecond or >= Duration.NanosecondsPerSecond)
        {
            return new("", "duration nanos out of range.");
        }
        if (d.Seconds < 0 || d.Nanos < 0)
        {
            return new("", "negative duration.");
        }
        if (d.Seconds >= MaxDurationSeconds)
        {
            d.Seconds = MaxDurationSeconds;
            d.Nanos = 0;
        }
        return null;
    }

    private static FieldProblem? TimestampProblem(Timestamp t)
    {
        if (t.Nanos is < 0 or >= Duration.NanosecondsPerSecond)
        {
            return new("", "timestamp nanos out of range.");
        }
        return t.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds
            ? new("", "timestamp out of range (years 1 to 9999).")
            : null;
    }
}

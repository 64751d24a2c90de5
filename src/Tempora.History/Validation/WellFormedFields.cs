using System.Collections;
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
        return MessageProblem(message, message.Descriptor.Name, skip, depth: 0);
    }

    /// <summary>Throws <see cref="Core.Errors.InvalidArgumentException"/> with <see cref="Problem"/> when there is one.</summary>
    public static void Check(IMessage message, Func<FieldDescriptor, bool>? skip = null)
    {
        if (Problem(message, skip) is { } problem)
        {
            throw new Core.Errors.InvalidArgumentException(problem);
        }
    }

    private static string? MessageProblem(IMessage message, string path, Func<FieldDescriptor, bool>? skip, int depth)
    {
        switch (message)
        {
            case Duration d:
                return DurationProblem(d, path);
            case Timestamp t:
                return TimestampProblem(t, path);
            case Any or Struct or Value or ListValue:
                return null; // opaque to the server, or free-form JSON that it never interprets
        }
        if (depth > 100)
        {
            return null; // protobuf's own recursion limit stops deeper messages at parse time
        }
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (skip?.Invoke(field) == true || !IsChecked(field))
            {
                continue;
            }
            var value = field.Accessor.GetValue(message);
            var fieldPath = $"{path}.{field.Name}";
            var problem = value switch
            {
                null => null,
                IDictionary map when field.IsMap => MapProblem(map, field, fieldPath, skip, depth),
                IList list when field.IsRepeated => ListProblem(list, field, fieldPath, skip, depth),
                _ => ValueProblem(value, field, fieldPath, skip, depth),
            };
            if (problem is not null)
            {
                return problem;
            }
        }
        return null;
    }

    /// <summary>Only fields that can hold a bad value: messages, enums and floating-point numbers.</summary>
    private static bool IsChecked(FieldDescriptor field) =>
        field.FieldType is FieldType.Message or FieldType.Enum or FieldType.Double or FieldType.Float
        || (field.IsMap && field.MessageType.FindFieldByNumber(2).FieldType is FieldType.Message or FieldType.Enum);

    private static string? MapProblem(IDictionary map, FieldDescriptor field, string path, Func<FieldDescriptor, bool>? skip, int depth)
    {
        var valueField = field.MessageType.FindFieldByNumber(2);
        foreach (DictionaryEntry entry in map)
        {
            if (entry.Value is not null && ValueProblem(entry.Value, valueField, $"{path}[{entry.Key}]", skip, depth) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    private static string? ListProblem(IList list, FieldDescriptor field, string path, Func<FieldDescriptor, bool>? skip, int depth)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is { } item && ValueProblem(item, field, $"{path}[{i}]", skip, depth) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    private static string? ValueProblem(object value, FieldDescriptor field, string path, Func<FieldDescriptor, bool>? skip, int depth) =>
        field.FieldType switch
        {
            FieldType.Message when value is IMessage nested => MessageProblem(nested, path, skip, depth + 1),
            FieldType.Enum => EnumProblem(value, field.EnumType, path),
            FieldType.Double or FieldType.Float => NumberProblem(Convert.ToDouble(value, CultureInfo.InvariantCulture), path),
            _ => null,
        };

    private static string? EnumProblem(object value, EnumDescriptor type, string path)
    {
        var number = Convert.ToInt32(value, CultureInfo.InvariantCulture);
        return type.FindValueByNumber(number) is null ? $"Invalid {path}: {number} is not a value of {type.Name}." : null;
    }

    private static string? NumberProblem(double value, string path) =>
        double.IsFinite(value) ? null : $"Invalid {path}: {value.ToString(CultureInfo.InvariantCulture)} is not a finite number.";

    private static string? DurationProblem(Duration d, string path)
    {
        if ((d.Seconds > 0 && d.Nanos < 0) || (d.Seconds < 0 && d.Nanos > 0))
        {
            return $"Invalid {path}: duration has seconds and nanos with different signs.";
        }
        if (d.Nanos is <= -Duration.NanosecondsPerSecond or >= Duration.NanosecondsPerSecond)
        {
            return $"Invalid {path}: duration nanos out of range.";
        }
        if (d.Seconds < 0 || d.Nanos < 0)
        {
            return $"Invalid {path}: negative duration.";
        }
        if (d.Seconds >= MaxDurationSeconds)
        {
            d.Seconds = MaxDurationSeconds;
            d.Nanos = 0;
        }
        return null;
    }

    private static string? TimestampProblem(Timestamp t, string path)
    {
        if (t.Nanos is < 0 or >= Duration.NanosecondsPerSecond)
        {
            return $"Invalid {path}: timestamp nanos out of range.";
        }
        return t.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds
            ? $"Invalid {path}: timestamp out of range (years 1 to 9999)."
            : null;
    }
}

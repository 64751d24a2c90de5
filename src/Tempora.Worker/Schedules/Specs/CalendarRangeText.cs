using Temporalio.Api.Schedule.V1;
using CalendarRange = Temporalio.Api.Schedule.V1.Range;

namespace Tempora.Worker.Schedules.Specs;

/// <summary>
/// Parses one calendar field's text into ranges, as Temporal's calendar and cron strings read: "*", "5", "1-5",
/// "1-5/2", "3/5" (3 to the field's maximum, every 5th), lists of those separated by commas, and month or weekday
/// names. Single values store End 0 and step 1 stores Step 0, as Temporal keeps the proto small.
/// </summary>
internal static class CalendarRangeText
{
    private static readonly string[] MonthNames =
    [
        "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december",
    ];

    private static readonly string[] WeekdayNames =
        ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    /// <summary>The ranges for <paramref name="text"/>; throws <see cref="SpecDetailException"/> naming the field.</summary>
    public static List<CalendarRange> Parse(string text, CalendarField field)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            text = field.DefaultText;
        }
        var ranges = new List<CalendarRange>();
        if (text == "*" && field == CalendarField.Year)
        {
            return ranges;
        }
        foreach (var item in text.Split(','))
        {
            AddItem(item, field, ranges);
        }
        return ranges;
    }

    private static void AddItem(string item, CalendarField field, List<CalendarRange> ranges)
    {
        var (body, step, hasStep) = SplitStep(item, field);
        int start = field.Min, end = field.Max;
        if (body != "*")
        {
            if (body.Contains('-', StringComparison.Ordinal))
            {
                var parts = body.Split('-');
                if (parts.Length != 2)
                {
                    throw new SpecDetailException($"{field.Name} has too many dashes");
                }
                if (!TryParseValue(parts[0], field.Min, field.Max, field.Names, out start))
                {
                    throw new SpecDetailException($"{field.Name} Start is not in range [{field.Min}-{field.Max}]");
                }
                if (!TryParseValue(parts[1], start, field.Max, field.Names, out end))
                {
                    throw new SpecDetailException(
                        $"{field.Name} End is before Start or not in range [{field.Min}-{field.Max}]");
                }
            }
            else
            {
                if (!TryParseValue(body, field.Min, field.Max, field.Names, out start))
                {
                    throw new SpecDetailException($"{field.Name} is not in range [{field.Min}-{field.Max}]");
                }
                // "3/5" runs from 3 to the maximum; a bare "3" is just 3.
                if (!hasStep)
                {
                    end = start;
                }
            }
        }

        if (field.Names == CalendarFieldNames.Weekdays && end == 7)
        {
            // Sunday written as 7: the range stops at Saturday, and Sunday is added as 0 when the range would have
            // reached 7, unless the range already starts at 0 or 1 with step 1 and so covers Sunday anyway.
            if ((7 - start) % step == 0 && (step > 1 || start > 1))
            {
                ranges.Add(new CalendarRange { Start = 0 });
                if (start == 7)
                {
                    return;
                }
            }
            end = 6;
        }
        ranges.Add(new CalendarRange
        {
            Start = start,
            End = start == end ? 0 : end,
            Step = step == 1 ? 0 : step,
        });
    }

    private static (string Body, int Step, bool HasStep) SplitStep(string item, CalendarField field)
    {
        var slashes = item.Count(c => c == '/');
        if (slashes > 1)
        {
            throw new SpecDetailException($"{field.Name} has too many slashes");
        }
        if (slashes == 0)
        {
            return (item, 1, false);
        }
        var slash = item.IndexOf('/', StringComparison.Ordinal);
        var stepText = item[(slash + 1)..];
        if (stepText.Length == 0)
        {
            throw new SpecDetailException($"{field.Name} missing step value");
        }
        if (!GoText.TryAtoi(stepText, out var step, out var error))
        {
            throw new SpecDetailException(error);
        }
        if (step < 1)
        {
            throw new SpecDetailException($"{field.Name} has invalid Step");
        }
        // Steps beyond any field's width behave as "only the start", so clamping keeps the arithmetic in int.
        return (item[..slash], (int)Math.Min(step, int.MaxValue), true);
    }

    private static bool TryParseValue(string text, int min, int max, CalendarFieldNames names, out int value)
    {
        var nameIndex = names switch
        {
            CalendarFieldNames.Months when text.Length >= 3 => NameIndex(MonthNames, text, 1),
            CalendarFieldNames.Weekdays when text.Length >= 2 => NameIndex(WeekdayNames, text, 0),
            _ => -1,
        };
        if (nameIndex >= 0)
        {
            value = nameIndex;
            return value >= min && value <= max;
        }
        if (!GoText.TryAtoi(text, out var number, out _) || number < min || number > max)
        {
            value = 0;
            return false;
        }
        value = (int)number;
        return true;
    }

    private static int NameIndex(string[] names, string text, int first)
    {
        var lower = text.ToLowerInvariant();
        for (var i = 0; i < names.Length; i++)
        {
            if (names[i].StartsWith(lower, StringComparison.Ordinal))
            {
                return i + first;
            }
        }
        return -1;
    }
}

using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using TicketFunctions.Common;

namespace TicketFunctions.Catalog;

/// <summary>Per-field checks shared by the catalog's requests; each failure adds one message under the field name.</summary>
internal static class Fields
{
    /// <summary>The trimmed text, after checking its length and that it has no control characters.</summary>
    public static string Text(IDictionary<string, string[]> errors, string field, string? value, int min, int max, bool multiline = false)
    {
        var text = value?.Trim() ?? "";
        if (text.Length < min || text.Length > max)
        {
            errors.Add(field, min == 0 ? $"At most {max} characters." : $"Must be {min} to {max} characters (after trimming spaces).");
        }
        else if (!Validate.IsPrintable(text, multiline))
        {
            errors.Add(field, multiline ? "Must not contain control characters other than line breaks and tabs." : "Must not contain control characters.");
        }

        return text;
    }

    /// <summary>A property's rule (such as <c>[StringLength]</c> on a request record): validation and the OpenAPI schema read the same one.</summary>
    public static TRule Rule<TRule>(Type record, string property)
        where TRule : Attribute
        => record.GetProperty(property)?.GetCustomAttribute<TRule>()
            ?? throw new InvalidOperationException($"{record.Name}.{property} has no [{typeof(TRule).Name}].");

    /// <summary>The trimmed text of a request property, checked against its <c>[StringLength]</c>.</summary>
    public static string Text<T>(IDictionary<string, string[]> errors, T request, string property, bool multiline = false)
    {
        var length = Rule<StringLengthAttribute>(typeof(T), property);
        var value = (string?)typeof(T).GetProperty(property)!.GetValue(request);
        return Text(errors, JsonNamingPolicy.CamelCase.ConvertName(property), value, length.MinimumLength, length.MaximumLength, multiline);
    }

    /// <summary>Checks a whole-number request property against its <c>[Range]</c>.</summary>
    public static void Range<T>(IDictionary<string, string[]> errors, T request, string property)
    {
        var range = Rule<RangeAttribute>(typeof(T), property);
        var value = Convert.ToInt64(typeof(T).GetProperty(property)!.GetValue(request), System.Globalization.CultureInfo.InvariantCulture);
        Range(errors, JsonNamingPolicy.CamelCase.ConvertName(property), value, Convert.ToInt64(range.Minimum, System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(range.Maximum, System.Globalization.CultureInfo.InvariantCulture));
    }

    public static void Range(IDictionary<string, string[]> errors, string field, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            errors.Add(field, $"Must be from {min} to {max}.");
        }
    }
}

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

    public static void Range(IDictionary<string, string[]> errors, string field, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            errors.Add(field, $"Must be from {min} to {max}.");
        }
    }
}

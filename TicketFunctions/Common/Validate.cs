using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace TicketFunctions.Common;

/// <summary>Checks a request record's data annotations; errors are keyed by the JSON (camelCase) field name.</summary>
public static class Validate
{
    public static Dictionary<string, string[]> Annotations(object request)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(request, new ValidationContext(request), results, validateAllProperties: true);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            foreach (var member in result.MemberNames.DefaultIfEmpty(""))
            {
                var field = JsonNamingPolicy.CamelCase.ConvertName(member);
                var message = result.ErrorMessage ?? "The value is not valid.";
                errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
            }
        }

        return errors;
    }

    public static void Add(this IDictionary<string, string[]> errors, string field, string message)
        => errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    /// <summary>True when the text has no control characters (tabs and line breaks allowed where multiline is true).</summary>
    public static bool IsPrintable(string? text, bool multiline = false)
        => text is null || !text.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t'));
}

using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace TicketFunctions.Common;

/// <summary>Reads query string values strictly, collecting one message per bad field.</summary>
public sealed class Query(HttpRequest request)
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public IDictionary<string, string[]> Errors => _errors;

    public bool IsValid => _errors.Count == 0;

    public string? String(string name, int maxLength = 200)
    {
        var values = request.Query[name];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            Fail(name, "Give this parameter once.");
            return null;
        }

        var value = values[0]?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.Length > maxLength)
        {
            Fail(name, $"At most {maxLength} characters.");
            return null;
        }

        // No stored text has them, and PostgreSQL cannot even compare a text holding U+0000.
        if (!Validate.IsPrintable(value))
        {
            Fail(name, "Must not contain control characters.");
            return null;
        }

        return value;
    }

    public int? Int(string name, int min = 1, int max = int.MaxValue)
    {
        var text = String(name, 20);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Fail(name, max == int.MaxValue ? $"Must be a whole number of at least {min}." : $"Must be a whole number from {min} to {max}.");
            return null;
        }

        return value;
    }

    public bool? Bool(string name)
    {
        var text = String(name, 5);
        if (text is null)
        {
            return null;
        }

        if (!bool.TryParse(text, out var value))
        {
            Fail(name, "Must be true or false.");
            return null;
        }

        return value;
    }

    public DateOnly? Date(string name)
    {
        var text = String(name, 10);
        if (text is null)
        {
            return null;
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            Fail(name, "Must be a date as YYYY-MM-DD.");
            return null;
        }

        return value;
    }

    /// <summary>An instant with an offset (2026-12-01T18:30:00Z) or a date (the start of that UTC day).</summary>
    public DateTime? Instant(string name)
    {
        var text = String(name, 40);
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        }

        if (text.Contains('T', StringComparison.Ordinal)
            && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            return instant.UtcDateTime;
        }

        Fail(name, "Must be a date (YYYY-MM-DD) or a UTC time such as 2026-12-01T18:30:00Z.");
        return null;
    }

    public string? OneOf(string name, params string[] allowed)
    {
        var text = String(name, 40);
        if (text is null)
        {
            return null;
        }

        var match = Array.Find(allowed, a => a.Equals(text, StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            Fail(name, $"Must be one of: {string.Join(", ", allowed)}.");
        }

        return match;
    }

    public Paging Paging()
    {
        var page = Int("page", 1, 1_000_000) ?? 1;
        var pageSize = Int("pageSize", 1, Common.Paging.MaxPageSize) ?? Common.Paging.DefaultPageSize;
        return new Paging(page, pageSize);
    }

    public void Fail(string name, string message)
    {
        _errors[name] = _errors.TryGetValue(name, out var existing) ? [.. existing, message] : [message];
    }
}

/// <summary>Page number (from 1) and size (1..100).</summary>
public readonly record struct Paging(int Page, int PageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public int Offset => (Page - 1) * PageSize;
}

/// <summary>A page of a list: <c>{ items, page, pageSize, totalCount }</c>.</summary>
public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, long TotalCount)
{
    public static PagedList<T> Of(IReadOnlyList<T> items, Paging paging, long totalCount) => new(items, paging.Page, paging.PageSize, totalCount);
}

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace TicketFunctions.Common;

/// <summary>
/// Reads a query record from the query string strictly: a parameter per property, named as the property is in JSON,
/// checked by the property's own rules (<see cref="StringLengthAttribute"/>, <see cref="RangeAttribute"/>,
/// <see cref="OneOfAttribute"/>) and then by the record's <see cref="IValidatableObject"/>, with one message per bad
/// parameter. The OpenAPI document describes the same record, so the two cannot disagree. Unknown parameters are ignored.
/// </summary>
public static partial class Query
{
    /// <summary>
    /// A time parameter: a date (2027-01-01) or an ISO 8601 date-time with or without seconds, fraction and offset
    /// (2027-01-01T18:30:00Z, 2027-01-01T19:30+01:00, 2027-01-01T18:30:00); a time without an offset is UTC, as
    /// everything in this API is. The OpenAPI document declares this pattern, so generated clients can follow it.
    /// </summary>
    public const string InstantPattern = @"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$";

    /// <summary>How <see cref="InstantPattern"/> reads, in the words of the OpenAPI document and of the 400 answer.</summary>
    public const string InstantRule = "a date (YYYY-MM-DD) or a date-time such as 2026-12-01T18:30:00Z (without an offset it is UTC)";

    private const int DefaultMaxLength = 40;

    public static Result<T> ReadQuery<T>(this HttpRequest request)
        where T : class
    {
        var contract = Json.Options.GetTypeInfo(typeof(T));
        var query = (T)contract.CreateObject!();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var property in contract.Properties.Where(p => p.Set is not null))
        {
            var (value, error) = Parse(request.Query[property.Name], property);
            if (error is not null)
            {
                errors.Add(property.Name, error);
            }
            else if (value is not null)
            {
                property.Set!(query, value);
            }
        }

        foreach (var result in errors.Count == 0 && query is IValidatableObject rules ? rules.Validate(new ValidationContext(query)) : [])
        {
            errors.Add(JsonNamingPolicy.CamelCase.ConvertName(result.MemberNames.Single()), result.ErrorMessage!);
        }

        return errors.Count == 0 ? query : new Error.Invalid(errors);
    }

    /// <summary>The check of a from..to pair: both optional, to not before from.</summary>
    public static IEnumerable<ValidationResult> InOrder(DateTime? from, DateTime? to)
        => from > to ? [new ValidationResult("Must not be before from.", ["To"])] : [];

    private static (object? Value, string? Error) Parse(StringValues values, JsonPropertyInfo property)
    {
        var text = values.Count == 1 ? values[0]?.Trim() : null;
        if (values.Count > 1 || string.IsNullOrEmpty(text))
        {
            return (null, values.Count > 1 ? "Give this parameter once." : null);
        }

        var rules = property.AttributeProvider?.GetCustomAttributes(inherit: true) ?? [];
        var maxLength = rules.OfType<StringLengthAttribute>().SingleOrDefault()?.MaximumLength ?? DefaultMaxLength;
        if (text.Length > maxLength || !Validate.IsPrintable(text))
        {
            // No stored text has control characters, and PostgreSQL cannot even compare a text holding U+0000.
            return (null, text.Length > maxLength ? $"At most {maxLength} characters." : "Must not contain control characters.");
        }

        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (rules.OfType<OneOfAttribute>().SingleOrDefault() is { } oneOf)
        {
            var match = oneOf.Values.FirstOrDefault(v => v.Equals(text, StringComparison.OrdinalIgnoreCase));
            return match is null ? (null, $"Must be one of: {string.Join(", ", oneOf.Values)}.") : (match, null);
        }

        if (type == typeof(int) || type == typeof(long))
        {
            // Every number says its range: the document shows it, and no id is below 1.
            var range = rules.OfType<RangeAttribute>().Single();
            var (min, max) = (Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture), Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture));
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
                ? (Convert.ChangeType(number, type, CultureInfo.InvariantCulture), null)
                : (null, max >= long.MaxValue ? $"Must be a whole number of at least {min}." : $"Must be a whole number from {min} to {max}.");
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(text, out var flag) ? (flag, null) : (null, "Must be true or false.");
        }

        if (type == typeof(DateOnly))
        {
            return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? (day, null)
                : (null, "Must be a date as YYYY-MM-DD.");
        }

        if (type == typeof(DateTime))
        {
            return Instant(text, endOfDay: rules.OfType<EndOfDayAttribute>().Any()) is { } instant
                ? (instant, null)
                : (null, $"Must be {InstantRule}.");
        }

        return type == typeof(string) ? (text, null) : throw new NotSupportedException($"A query parameter cannot be a {type.Name}.");
    }

    /// <summary>An instant as <see cref="InstantPattern"/> reads it, or a date: the start of that UTC day, or its last millisecond.</summary>
    private static DateTime? Instant(string text, bool endOfDay)
    {
        if (!InstantRegex().IsMatch(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date.ToDateTime(endOfDay ? new TimeOnly(23, 59, 59, 999) : TimeOnly.MinValue, DateTimeKind.Utc);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant.UtcDateTime
            : null;
    }

    [GeneratedRegex(InstantPattern, RegexOptions.CultureInvariant)]
    private static partial Regex InstantRegex();
}

/// <summary>On the end of a time range: a date alone takes the whole of that UTC day (to=2026-12-01 is 23:59:59.999Z).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class EndOfDayAttribute : Attribute;

/// <summary>The query of a list: <c>page</c> (from 1) and <c>pageSize</c> (1..100, default 20).</summary>
public abstract record PagedQuery
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    [Description("The page number, from 1.")]
    [Range(1, 1_000_000)]
    [JsonPropertyOrder(1)]
    public int Page { get; init; } = 1;

    [Description("Items per page.")]
    [Range(1, MaxPageSize)]
    [JsonPropertyOrder(1)]
    public int PageSize { get; init; } = DefaultPageSize;

    [JsonIgnore]
    public int Offset => (Page - 1) * PageSize;
}

/// <summary>A page of a list: <c>{ items, page, pageSize, totalCount }</c>.</summary>
public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, long TotalCount)
{
    public static PagedList<T> Of(IReadOnlyList<T> items, PagedQuery query, long totalCount) => new(items, query.Page, query.PageSize, totalCount);
}

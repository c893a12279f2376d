using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace TicketFunctions.Common;

/// <summary>The one set of JSON rules for request bodies, responses and queue messages.</summary>
public static class Json
{
    /// <summary>The rules, read-only and with the reflection contracts, so that any code may read a type's contract at any time.</summary>
    public static JsonSerializerOptions Options { get; } = ReadOnly(Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web)));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        // Strict on input: "12" is not a number and an unknown field is an error, so a client never believes
        // it set something (a role, a price) that the server silently ignored.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.AllowDuplicateProperties = false;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new UtcDateTimeConverter());
        return options;
    }

    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver();
        options.MakeReadOnly();
        return options;
    }

    public static IServiceCollection AddHttpJson(this IServiceCollection services)
    {
        // ASP.NET Core writes IActionResult values (both hosts) with MVC's JSON options.
        services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(o => Configure(o.JsonSerializerOptions));
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o => Configure(o.SerializerOptions));
        return services;
    }

    /// <summary>Times go out as ISO 8601 UTC with a Z and whole seconds or milliseconds; inputs must carry an offset.</summary>
    private sealed class UtcDateTimeConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            if (text is null || !DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.None, out var value) || !HasOffset(text))
            {
                throw new JsonException("Expected an ISO 8601 time with a UTC offset, such as 2026-12-01T18:30:00Z.");
            }

            return value.UtcDateTime;
        }

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
        {
            var utc = value.Kind == DateTimeKind.Utc ? value : DateTime.SpecifyKind(value, DateTimeKind.Utc);
            writer.WriteStringValue(utc.Millisecond == 0
                ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)
                : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }

        private static bool HasOffset(string text)
        {
            var t = text.IndexOf('T', StringComparison.Ordinal);
            if (t < 0)
            {
                return false;
            }

            var time = text.AsSpan(t);
            return time.EndsWith("Z", StringComparison.OrdinalIgnoreCase) || time.LastIndexOfAny('+', '-') > 0;
        }
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FunctionsLocalHost;

/// <summary>Newtonsoft's ISO form of a local DateTime: fractions only when present, the local offset after.</summary>
internal sealed class LocalTimeJsonConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonException("A schedule status time is null.");
        // A time with an offset is an instant (shown in local time); one without is already local.
        return DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal);
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        var local = value.Kind == DateTimeKind.Utc ? value.ToLocalTime() : value;
        var offset = TimeZoneInfo.Local.GetUtcOffset(local);
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        writer.WriteStringValue(string.Create(CultureInfo.InvariantCulture,
            $"{local:yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF}{sign}{offset.Duration():hh':'mm}"));
    }
}

using Google.Protobuf;
using TicketFunctions.Tests.Telemetry.Otlp;

namespace TicketFunctions.Tests.Telemetry;

/// <summary>Reading OTLP's messages as the tests ask about them.</summary>
internal static class OtlpReading
{
    public static string Hex(this ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    public static string? Attribute(this Span span, string key) => Find(span.Attributes, key);

    public static string? Attribute(this LogRecord log, string key) => Find(log.Attributes, key);

    public static string? Attribute(this NumberDataPoint point, string key) => Find(point.Attributes, key);

    public static string? Attribute(this HistogramDataPoint point, string key) => Find(point.Attributes, key);

    public static long Value(this NumberDataPoint point) => point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : (long)point.AsDouble;

    private static string? Find(IEnumerable<KeyValue> attributes, string key)
        => attributes.FirstOrDefault(a => a.Key == key)?.Value switch
        {
            null => null,
            { ValueCase: AnyValue.ValueOneofCase.StringValue } v => v.StringValue,
            { ValueCase: AnyValue.ValueOneofCase.IntValue } v => v.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            { ValueCase: AnyValue.ValueOneofCase.BoolValue } v => v.BoolValue ? "true" : "false",
            { } v => v.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
}

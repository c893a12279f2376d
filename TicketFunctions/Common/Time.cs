namespace TicketFunctions.Common;

/// <summary>The database keeps instants as Unix milliseconds (exact, ordered, index-friendly); the API shows UTC DateTimes.</summary>
public static class Time
{
    public static long ToUnixMs(this DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    public static long ToUnixMs(this DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTime FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;

    public static DateTime? FromUnixMs(long? ms) => ms is { } value ? FromUnixMs(value) : null;

    public static long UnixMsNow(this TimeProvider clock) => clock.GetUtcNow().ToUnixTimeMilliseconds();
}

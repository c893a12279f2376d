using System.Text.Json;
using System.Text.Json.Serialization;

namespace FunctionsLocalHost;

/// <summary>
/// A timer's schedule status (azure-webjobs-sdk-extensions <c>Timers/Scheduling/ScheduleStatus.cs</c>): Last, the
/// occurrence last run; Next, the one expected next; LastUpdated, when Next was computed. Local times, written as the
/// real host's Newtonsoft serializer writes a local <c>DateTime</c> (<c>2026-12-07T14:30:00+00:00</c>), in the status
/// blob and in the TimerInfo JSON the worker gets.
/// </summary>
internal sealed record ScheduleStatus(
    [property: JsonConverter(typeof(LocalTimeJsonConverter))] DateTime Last,
    [property: JsonConverter(typeof(LocalTimeJsonConverter))] DateTime Next,
    [property: JsonConverter(typeof(LocalTimeJsonConverter))] DateTime LastUpdated)
{
    /// <summary>The real host's "never": <c>default(DateTime).ToLocalTime()</c>.</summary>
    internal static readonly DateTime Never = default(DateTime).ToLocalTime();

    internal static readonly JsonSerializerOptions Json = new();

    internal string ToJson() => JsonSerializer.Serialize(this, Json);

    internal static ScheduleStatus? FromJson(string json) => JsonSerializer.Deserialize<ScheduleStatus>(json, Json);
}

using Microsoft.Azure.Functions.Worker;

namespace SampleApp;

/// <summary>The <c>TimerInfo</c> a timer-triggered function got, and when it ran.</summary>
public sealed record Tick(DateTime RanAtUtc, bool IsPastDue, DateTime? Last, DateTime? Next, DateTime? LastUpdated);

public static class TimerFunctions
{
    [Function("Tick")]
    [QueueOutput("%TickQueue%")]
    public static Tick Run([TimerTrigger("%TickSchedule%", RunOnStartup = true)] TimerInfo timer)
        => new(DateTime.UtcNow, timer.IsPastDue, timer.ScheduleStatus?.Last, timer.ScheduleStatus?.Next, timer.ScheduleStatus?.LastUpdated);
}

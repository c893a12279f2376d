using System.Globalization;

using NCrontab;

namespace FunctionsLocalHost;

/// <summary>
/// A timer trigger's schedule as azure-webjobs-sdk-extensions reads it (<c>Timers/Scheduling/TimerSchedule.cs</c>,
/// <c>CronSchedule.cs</c>, <c>ConstantSchedule.cs</c>): an NCRONTAB expression (six fields, seconds first; five are read
/// as minutes first) or a TimeSpan interval, occurrences in local time.
/// </summary>
internal sealed class TimerSchedule
{
    private readonly Func<DateTime, DateTime> _next;

    private TimerSchedule(Func<DateTime, DateTime> next, string description, bool adjustForDst, bool occursMoreThanOncePerMinute)
    {
        _next = next;
        Description = description;
        AdjustForDst = adjustForDst;
        OccursMoreThanOncePerMinute = occursMoreThanOncePerMinute;
    }

    /// <summary>As the real schedules' ToString: <c>Cron: '0 * * * * *'</c> or <c>Constant: 00:05:00</c>.</summary>
    internal string Description { get; }

    /// <summary>What the real host's TimerInfo JSON carries as <c>Schedule.AdjustForDST</c>: true for CRON, false for an interval.</summary>
    internal bool AdjustForDst { get; }

    /// <summary>
    /// A schedule the real host turns the monitor off for (<c>TimerSchedule.Create</c>): an interval under a minute, or a
    /// CRON expression whose minute and larger fields are all <c>*</c> and that fires more than once in the next minute.
    /// </summary>
    internal bool OccursMoreThanOncePerMinute { get; }

    /// <summary>The first occurrence after a local time.</summary>
    internal DateTime Next(DateTime after) => DateTime.SpecifyKind(_next(after), DateTimeKind.Local);

    internal static TimerSchedule Parse(string functionName, string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var cron = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields.Length == 6 });
        if (cron is not null)
        {
            var minuteAndUp = fields.Length == 6 ? fields.Skip(1) : fields;
            var now = DateTime.Now;
            var frequent = minuteAndUp.All(f => f == "*") && cron.GetNextOccurrences(now, now.AddMinutes(1)).Take(2).Count() > 1;
            return new TimerSchedule(cron.GetNextOccurrence, string.Create(CultureInfo.InvariantCulture, $"Cron: '{cron}'"), adjustForDst: true, frequent);
        }

        if (TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval))
        {
            return interval > TimeSpan.Zero
                ? new TimerSchedule(last => last + interval, string.Create(CultureInfo.InvariantCulture, $"Constant: {interval}"), adjustForDst: false, interval.TotalMinutes < 1)
                : throw new InvalidOperationException($"Function '{functionName}': the timer interval '{expression}' must be positive.");
        }

        throw new InvalidOperationException(
            $"Function '{functionName}': the timer schedule '{expression}' is neither an NCRONTAB expression "
            + "('{second} {minute} {hour} {day} {month} {day-of-week}') nor a TimeSpan (hh:mm:ss).");
    }
}

using System.Globalization;
using System.Text.Json;

using FunctionsLocalHost.Rpc;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using NCrontab;

namespace FunctionsLocalHost;

/// <summary>
/// Runs one timer-triggered function on its schedule, as the Functions host's timer listener does: a six-field NCRONTAB
/// expression (seconds first; five fields are read as minutes first) or a TimeSpan interval, <c>%Setting%</c>
/// references resolved, <c>runOnStartup</c> honoured, one invocation at a time, and the worker given a <c>TimerInfo</c>
/// with the schedule status: Last, the previous run, and Next, the occurrence this run is for. The status lives in
/// memory (the real host keeps it in Storage), so <c>IsPastDue</c> is always false: the real host sets it only for an
/// occurrence missed while no host ran, which it learns from the stored status. An occurrence that passed while the
/// previous run overran is run at once, not marked past due, as in the real host's TimerListener.
/// </summary>
internal sealed class TimerFunctionScheduler : BackgroundService
{
    private readonly HostedFunction _function;
    private readonly FunctionInvoker _invoker;
    private readonly TimeProvider _clock;
    private readonly Func<DateTime, DateTime> _next;
    private readonly bool _runOnStartup;

    public TimerFunctionScheduler(HostedFunction function, FunctionInvoker invoker, IConfiguration configuration, TimeProvider clock)
    {
        _function = function;
        _invoker = invoker;
        _clock = clock;
        var schedule = function.Trigger.Text("schedule")
            ?? throw new InvalidOperationException($"Function '{function.Name}': its timer trigger has no schedule.");
        _next = Schedule(function.Name, SettingReferences.Resolve(configuration, schedule, "timer schedule"));
        _runOnStartup = function.Trigger.Flag("runOnStartup");
    }

    /// <summary>The next occurrence after a local time, from a CRON expression or a TimeSpan interval.</summary>
    internal static Func<DateTime, DateTime> Schedule(string functionName, string expression)
    {
        if (TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval))
        {
            return interval > TimeSpan.Zero
                ? last => last + interval
                : throw new InvalidOperationException($"Function '{functionName}': the timer interval '{expression}' must be positive.");
        }

        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var cron = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 })
            ?? throw new InvalidOperationException(
                $"Function '{functionName}': the timer schedule '{expression}' is neither an NCRONTAB expression "
                + "('{second} {minute} {hour} {day} {month} {day-of-week}') nor a TimeSpan (hh:mm:ss).");
        return last => cron.GetNextOccurrence(last);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = Now();
        if (_runOnStartup && !stoppingToken.IsCancellationRequested)
        {
            await RunAsync(last, _next(last)).ConfigureAwait(false);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var due = _next(last);
            var wait = due - Now();
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _clock, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            // The real host's Last is the invocation time (the occurrence when it fired early), and the next
            // occurrence follows it.
            var invoked = Now();
            await RunAsync(last, due).ConfigureAwait(false);
            last = invoked > due ? invoked : due;
        }
    }

    private DateTime Now() => _clock.GetLocalNow().DateTime;

    private async Task RunAsync(DateTime last, DateTime next)
    {
        var info = new TimerInfo(new ScheduleStatus(last, next, Now()), IsPastDue: false);
        var request = FunctionInvoker.Request(_function, new TypedData { Json = JsonSerializer.Serialize(info) });
        // An invocation that has started finishes; stopping the host does not cut it short.
        // The timer trigger's reason, with the instant it fired in round-trip form (azure-webjobs-sdk-extensions TimerTriggerBinding).
        var reason = $"Timer fired at {_clock.GetLocalNow():o}";
        await _invoker.InvokeAsync(_function, request, reason, CancellationToken.None).ConfigureAwait(false);
    }

    private sealed record ScheduleStatus(DateTime Last, DateTime Next, DateTime LastUpdated);

    private sealed record TimerInfo(ScheduleStatus ScheduleStatus, bool IsPastDue);
}

using System.Globalization;
using System.Text;
using System.Text.Json;

using Azure;

using FunctionsLocalHost.Rpc;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>
/// Runs one timer-triggered function as the real host's timer listener does (azure-webjobs-sdk-extensions
/// <c>src/WebJobs.Extensions/Extensions/Timers/Listener/TimerListener.cs</c>), on one host at a time: the listener runs
/// only while this host holds its <see cref="ListenerLease"/>; a host without it tries again every
/// <c>singleton.listenerLockRecoveryPollingInterval</c>. With the schedule monitor on (<c>useMonitor</c>, true unless the
/// binding says false, and off for schedules that fire more than once a minute) the status lives in a blob
/// (<see cref="ScheduleMonitor"/>): at start an occurrence missed while no host ran is run at once with
/// <c>IsPastDue</c>, and the TimerInfo carries the status (Last, Next: the occurrence being run, LastUpdated); with it
/// off the TimerInfo's <c>ScheduleStatus</c> is null. <c>runOnStartup</c> runs it each time the listener starts; one
/// invocation at a time, and an occurrence that passed while the previous run overran runs at once.
/// </summary>
internal sealed class TimerFunctionScheduler : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(24);

    private readonly HostedFunction _function;
    private readonly FunctionInvoker _invoker;
    private readonly HostStorage _storage;
    private readonly SingletonSettings _singleton;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly TimerSchedule _schedule;
    private readonly bool _runOnStartup;
    private readonly ScheduleMonitor? _monitor;
    private readonly string _lockId;

    public TimerFunctionScheduler(
        HostedFunction function, FunctionInvoker invoker, IConfiguration configuration, HostStorage storage, SingletonSettings singleton, TimeProvider clock, ILoggerFactory loggers)
    {
        _function = function;
        _invoker = invoker;
        _storage = storage;
        _singleton = singleton;
        _clock = clock;
        _logger = loggers.CreateLogger("Host.Triggers.Timer");
        var schedule = function.Trigger.Text("schedule")
            ?? throw new InvalidOperationException($"Function '{function.Name}': its timer trigger has no schedule.");
        _schedule = TimerSchedule.Parse(function.Name, SettingReferences.Resolve(configuration, schedule, "timer schedule"));
        _runOnStartup = function.Trigger.Flag("runOnStartup");
        _monitor = UseMonitor(function.Trigger) && !_schedule.OccursMoreThanOncePerMinute
            ? new ScheduleMonitor(storage.Container, storage.HostId, function.Name, _logger)
            : null;
        _lockId = ListenerLease.LockId(storage.HostId, function.Name);
    }

    /// <summary>Whether the schedule status is kept in Storage (for the tests and the log).</summary>
    internal bool Monitored => _monitor is not null;

    /// <summary><c>useMonitor</c> as the real host reads it from the binding: true unless given as false.</summary>
    private static bool UseMonitor(FunctionBinding trigger)
    {
        foreach (var property in trigger.Raw.EnumerateObject())
        {
            if (property.Name.Equals("useMonitor", StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind switch
                {
                    JsonValueKind.False => false,
                    JsonValueKind.String => !bool.TryParse(property.Value.GetString(), out var flag) || flag,
                    _ => true,
                };
            }
        }

        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            ListenerLease? lease = null;
            try
            {
                lease = await ListenerLease.TryAcquireAsync(_storage.Container, _lockId, _singleton, _clock, _logger, stoppingToken).ConfigureAwait(false);
                if (lease is null)
                {
                    TimerLog.LockNotAcquired(_logger, _lockId);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
            {
                TimerLog.StorageFailed(_logger, ex, _function.Name);
            }

            if (lease is null)
            {
                if (!await PauseAsync(_singleton.RetryInterval, stoppingToken).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            var failed = false;
            await using (lease.ConfigureAwait(false))
            {
                using var listening = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
                try
                {
                    await ListenAsync(listening.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (listening.IsCancellationRequested)
                {
                    // Stopping, or the lease was lost: the listener stops before the lease is let go.
                }
                catch (Exception ex)
                {
                    // A status blob that cannot be read, say: logged, and the listener tries again later rather than
                    // stopping the host (an exception out of a hosted service would).
                    TimerLog.ListenerFailed(_logger, ex, _function.Name);
                    failed = true;
                }
            }

            if (failed && !await PauseAsync(_singleton.RetryInterval, stoppingToken).ConfigureAwait(false))
            {
                break;
            }
        }
    }

    /// <summary>The listener while this host holds the lease: start-up checks, then each occurrence until cancelled.</summary>
    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        var now = Now();
        ScheduleStatus? status = null;
        var pastDue = false;
        if (_monitor is not null)
        {
            status = await _monitor.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var (last, next, updated) = (status?.Last.ToString("o"), status?.Next.ToString("o"), status?.LastUpdated.ToString("o"));
                TimerLog.InitialStatus(_logger, _function.Name, last, next, updated);
            }

            (var overdue, status) = await _monitor.CheckPastDueAsync(now, _schedule, status, cancellationToken).ConfigureAwait(false);
            pastDue = overdue != TimeSpan.Zero;
        }

        status ??= new ScheduleStatus(ScheduleStatus.Never, _schedule.Next(now), ScheduleStatus.Never);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var occurrences = NextOccurrences(now);
            TimerLog.NextOccurrences(_logger, _function.Name, _schedule.Description, occurrences);
        }

        if (pastDue)
        {
            TimerLog.PastDue(_logger, _function.Name);
            status = await InvokeAsync(status, Now(), isPastDue: true, runOnStartup: false, cancellationToken).ConfigureAwait(false);
        }
        else if (_runOnStartup)
        {
            TimerLog.RunOnStartup(_logger, _function.Name);
            status = await InvokeAsync(status, Now(), isPastDue: false, runOnStartup: true, cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            for (var wait = status.Next - Now(); wait > TimeSpan.Zero; wait = status.Next - Now())
            {
                await Task.Delay(wait < MaxDelay ? wait : MaxDelay, _clock, cancellationToken).ConfigureAwait(false);
            }

            status = await InvokeAsync(status, Now(), isPastDue: false, runOnStartup: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One run (TimerListener.InvokeJobFunction), then the status for the next, recorded when monitored.</summary>
    private async Task<ScheduleStatus> InvokeAsync(ScheduleStatus status, DateTime invocationTime, bool isPastDue, bool runOnStartup, CancellationToken cancellationToken)
    {
        // A stopping listener (or one whose lease is gone) starts no invocation; one that has started finishes.
        cancellationToken.ThrowIfCancellationRequested();
        var info = new TimerInfo(new Schedule(_schedule.AdjustForDst), _monitor is null ? null : status, isPastDue);
        var request = FunctionInvoker.Request(_function, new TypedData { Json = JsonSerializer.Serialize(info, ScheduleStatus.Json) });
        // The timer trigger's reason, with the instant it fired in round-trip form (azure-webjobs-sdk-extensions TimerTriggerBinding).
        var reason = $"Timer fired at {_clock.GetLocalNow():o}";
        await _invoker.InvokeAsync(_function, request, reason, CancellationToken.None).ConfigureAwait(false);

        // A run that fired a little before its occurrence counts from the occurrence, so that Next is not the same twice.
        var adjusted = !isPastDue && !runOnStartup && status.Next > invocationTime ? status.Next : invocationTime;
        var next = new ScheduleStatus(adjusted, _schedule.Next(adjusted), adjusted);
        if (_monitor is not null)
        {
            await _monitor.UpdateStatusAsync(next, CancellationToken.None).ConfigureAwait(false);
        }

        return next;
    }

    /// <summary>The real listener's list of the next five occurrences (TimerInfo.FormatNextOccurrences): UTC, or local (UTC).</summary>
    private string NextOccurrences(DateTime now)
    {
        const string Format = "MM'/'dd'/'yyyy HH':'mm':'ssK";
        var utc = TimeZoneInfo.Local.HasSameRules(TimeZoneInfo.Utc);
        var text = new StringBuilder(Environment.NewLine);
        for (var (i, at) = (0, now); i < 5; i++)
        {
            at = _schedule.Next(at);
            var universal = at.ToUniversalTime().ToString(Format, CultureInfo.InvariantCulture);
            // The real occurrence is a DateTime of unspecified kind, so its local form carries no offset.
            text.AppendLine(utc ? universal : $"{DateTime.SpecifyKind(at, DateTimeKind.Unspecified).ToString(Format, CultureInfo.InvariantCulture)} ({universal})");
        }

        return text.ToString();
    }

    private DateTime Now() => DateTime.SpecifyKind(_clock.GetLocalNow().DateTime, DateTimeKind.Local);

    private async Task<bool> PauseAsync(TimeSpan pause, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(pause, _clock, stoppingToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The real TimerInfo's JSON (Newtonsoft, property names as declared): its schedule, status and past-due flag.</summary>
    private sealed record TimerInfo(Schedule Schedule, ScheduleStatus? ScheduleStatus, bool IsPastDue);

    private sealed record Schedule(bool AdjustForDST);
}

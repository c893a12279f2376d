using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace TicketFunctions.Tests.Support;

/// <summary>
/// The test app's fake clock behind a hook that runs on every read, so a test can act at the moment the app reads
/// the time (take a lock, move time on). Put in place with <see cref="Install"/> as a TestApp <c>configure</c>.
/// </summary>
public sealed class ObservedClock(FakeTimeProvider inner) : TimeProvider
{
    public Action? OnRead { get; set; }

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    /// <summary>Wraps the FakeTimeProvider that TestApp registered; app.Clock still moves the time.</summary>
    public static Action<IServiceCollection> Install(Action<ObservedClock> created) => services =>
    {
        var fake = (FakeTimeProvider)services.Single(d => d.ServiceType == typeof(TimeProvider)).ImplementationInstance!;
        var observed = new ObservedClock(fake);
        created(observed);
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(observed));
    };

    public override DateTimeOffset GetUtcNow()
    {
        var now = inner.GetUtcNow();
        OnRead?.Invoke();
        return now;
    }

    public override long GetTimestamp() => inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        => inner.CreateTimer(callback, state, dueTime, period);
}

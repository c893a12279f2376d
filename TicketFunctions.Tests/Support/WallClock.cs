namespace TicketFunctions.Tests.Support;

/// <summary>The real clock, for tests against a running host whose holds end in real time.</summary>
public static class WallClock
{
    /// <summary>Returns at <paramref name="instant"/> (at once if it has passed): when a client is to act, not proof of an order.</summary>
    public static async Task Until(DateTimeOffset instant)
    {
        var wait = instant - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}

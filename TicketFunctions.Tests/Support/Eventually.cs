using System.Diagnostics;

namespace TicketFunctions.Tests.Support;

/// <summary>Waits for a condition with a deadline (never a fixed sleep), failing with what was awaited.</summary>
public static class Eventually
{
    public static async Task True(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (deadline.Elapsed > limit)
            {
                Assert.Fail($"Waited {limit.TotalSeconds:0} s for this, in vain: {what}.");
            }

            await Task.Delay(50);
        }
    }
}

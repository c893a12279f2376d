using TicketFunctions.Bookings;

namespace TicketFunctions.Tests.Bookings;

public sealed class ShowtimeGatesTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Holds_of_one_showtime_take_turns_while_another_showtime_goes_on()
    {
        var gates = new ShowtimeGates();
        var first = await gates.EnterAsync(1, CancellationToken.None);

        var second = gates.EnterAsync(1, CancellationToken.None);
        var other = await gates.EnterAsync(2, CancellationToken.None).WaitAsync(Wait);

        // Ending the first turn twice must let exactly one more in, not two.
        var third = gates.EnterAsync(1, CancellationToken.None);
        await Task.Delay(100);
        Assert.False(second.IsCompleted);
        first.Dispose();
        first.Dispose();
        var winner = await Task.WhenAny(second, third).WaitAsync(Wait);
        await Task.Delay(100);
        Assert.False(second.IsCompleted && third.IsCompleted);

        (await winner).Dispose();
        (await (winner == second ? third : second).WaitAsync(Wait)).Dispose();
        other.Dispose();
        (await gates.EnterAsync(1, CancellationToken.None).WaitAsync(Wait)).Dispose();
    }

    [Fact]
    public async Task A_hold_that_gives_up_waiting_leaves_the_queue_working()
    {
        var gates = new ShowtimeGates();
        var first = await gates.EnterAsync(7, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = gates.EnterAsync(7, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        first.Dispose();
        (await gates.EnterAsync(7, CancellationToken.None).WaitAsync(Wait)).Dispose();
    }
}

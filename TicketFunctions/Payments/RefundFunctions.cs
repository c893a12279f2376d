using Microsoft.Azure.Functions.Worker;

namespace TicketFunctions.Payments;

/// <summary>
/// Finishes the refunds a cancel recorded but whose gateway call failed or never happened (the process died after the
/// commit): every minute, each owed refund is claimed by one instance and made once (<see cref="RefundSweep"/>).
/// </summary>
public sealed class RefundFunctions(RefundSweep sweep)
{
    [Function("SweepRefunds")]
    public async Task Sweep([TimerTrigger("30 * * * * *")] TimerInfo timer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await sweep.RunAsync(ct);
    }
}

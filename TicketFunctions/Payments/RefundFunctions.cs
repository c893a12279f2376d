using Microsoft.Azure.Functions.Worker;

namespace TicketFunctions.Payments;

/// <summary>
/// Finishes the refunds a cancel recorded but whose gateway call failed or never happened (the process died after the
/// commit): on the schedule in the app setting <c>Refunds__SweepSchedule</c> (every minute in the example file),
/// each owed refund is claimed by one instance and made once (<see cref="RefundSweep"/>).
/// </summary>
public sealed class RefundFunctions(RefundSweep sweep)
{
    [Function("SweepRefunds")]
    public async Task Sweep([TimerTrigger("%Refunds__SweepSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await sweep.RunAsync(ct);
    }
}

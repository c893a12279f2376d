using Microsoft.Azure.Functions.Worker;

namespace TicketFunctions.Operations;

/// <summary>
/// Hourly: deletes expired idempotency keys and ended login-failure counts in bounded batches
/// (<see cref="MaintenanceSweep"/>); safe when several instances run it at once.
/// </summary>
public sealed class MaintenanceFunctions(MaintenanceSweep sweep)
{
    [Function("Maintenance")]
    public async Task Run([TimerTrigger("0 15 * * * *")] TimerInfo timer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await sweep.RunAsync(ct);
    }
}

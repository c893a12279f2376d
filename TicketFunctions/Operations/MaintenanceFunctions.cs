using Microsoft.Azure.Functions.Worker;

namespace TicketFunctions.Operations;

/// <summary>
/// On the schedule in the app setting <c>Maintenance__Schedule</c> (hourly in the example file): deletes expired idempotency keys and ended login-failure counts in bounded batches
/// (<see cref="MaintenanceSweep"/>); safe when several instances run it at once.
/// </summary>
public sealed class MaintenanceFunctions(MaintenanceSweep sweep)
{
    [Function("Maintenance")]
    public async Task Run([TimerTrigger("%Maintenance__Schedule%")] TimerInfo timer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await sweep.RunAsync(ct);
    }
}

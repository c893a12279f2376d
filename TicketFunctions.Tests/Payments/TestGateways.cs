using Microsoft.Extensions.Time.Testing;
using TicketFunctions.Payments;

namespace TicketFunctions.Tests.Payments;

/// <summary>The simulated gateway behind a counter, which can throw on its first calls or run a hook during a charge.</summary>
public sealed class ScriptedGateway(SimulatedPaymentGateway inner) : IPaymentGateway
{
    private int _charges;
    private int _refunds;

    public int FailFirstCharges { get; set; }

    public Action? DuringCharge { get; set; }

    public int ChargeCalls => _charges;

    public int RefundCalls => _refunds;

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _charges) <= FailFirstCharges)
        {
            throw new PaymentGatewayUnavailableException("Scripted outage.");
        }

        var result = await inner.ChargeAsync(request, cancellationToken);
        DuringCharge?.Invoke();
        return result;
    }

    public Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _refunds);
        return inner.RefundAsync(request, cancellationToken);
    }
}

internal static class FakeClockExtensions
{
    public static long NowMs(this FakeTimeProvider clock) => clock.GetUtcNow().ToUnixTimeMilliseconds();
}

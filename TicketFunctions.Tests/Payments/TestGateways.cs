using Microsoft.Extensions.Time.Testing;
using TicketFunctions.Payments;

namespace TicketFunctions.Tests.Payments;

/// <summary>
/// The simulated gateway behind a counter of the calls that reach the gateway interface; it can throw on its first
/// charges or on refunds, and run a hook during a charge or a refund.
/// </summary>
public sealed class ScriptedGateway(SimulatedPaymentGateway inner) : IPaymentGateway
{
    private int _charges;
    private int _refunds;

    public int FailFirstCharges { get; set; }

    public Action? DuringCharge { get; set; }

    /// <summary>Charges are declined with this reason of the gateway's own, as a real gateway may word a decline.</summary>
    public string? DeclineWith { get; set; }

    /// <summary>Refunds throw, as a gateway outage or a process dying before the call would leave them.</summary>
    public bool FailRefunds { get; set; }

    public Action? DuringRefund { get; set; }

    public int ChargeCalls => _charges;

    public int RefundCalls => _refunds;

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _charges) <= FailFirstCharges)
        {
            throw new PaymentGatewayUnavailableException("Scripted outage.");
        }

        if (DeclineWith is { } reason)
        {
            return new ChargeResult(Approved: false, Reference: null, FailureReason: reason);
        }

        var result = await inner.ChargeAsync(request, cancellationToken);
        DuringCharge?.Invoke();
        return result;
    }

    public int Calls => ChargeCalls + RefundCalls;

    public async Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _refunds);
        if (FailRefunds)
        {
            throw new PaymentGatewayUnavailableException("Scripted refund outage.");
        }

        DuringRefund?.Invoke();
        return await inner.RefundAsync(request, cancellationToken);
    }
}

internal static class FakeClockExtensions
{
    public static long NowMs(this FakeTimeProvider clock) => clock.GetUtcNow().ToUnixTimeMilliseconds();
}

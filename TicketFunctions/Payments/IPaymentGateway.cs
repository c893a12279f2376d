namespace TicketFunctions.Payments;

/// <summary>
/// The payment provider at the edge of the app. Both calls are idempotent by payment id: asking twice for the same
/// payment charges or refunds once and answers the same, which is what makes at-least-once queue delivery safe.
/// </summary>
public interface IPaymentGateway
{
    Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken);

    Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken);
}

public sealed record ChargeRequest(long PaymentId, string PaymentToken, long AmountCents);

/// <summary>Approved with the gateway's reference, or declined with a reason such as <c>card_declined</c>.</summary>
public sealed record ChargeResult(bool Approved, string? Reference, string? FailureReason);

public sealed record RefundRequest(long PaymentId, string? GatewayReference, long AmountCents);

/// <summary>Refunded with the gateway's reference, or not with a reason; <see cref="NotCharged"/> means there was nothing to refund.</summary>
public sealed record RefundResult(bool Refunded, string? Reference, string? FailureReason)
{
    public const string NotCharged = "not_charged";
}

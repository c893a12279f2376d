using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.Common;

namespace TicketFunctions.Payments;

/// <summary>The statuses of a payment.</summary>
[DisplayName("PaymentStatus")]
public static class PaymentStatuses
{
    public const string Pending = "PENDING";
    public const string Success = "SUCCESS";
    public const string Failed = "FAILED";
    public const string Refunded = "REFUNDED";

    public static readonly string[] All = [Pending, Success, Failed, Refunded];
}

/// <summary>
/// Every failure reason the app records, the list the payments table's CHECK holds: its own reasons, and for a declined
/// charge the gateway's (card_declined, invalid_token; any other decline is recorded as card_declined).
/// </summary>
[DisplayName("FailureReason")]
public static class FailureReasons
{
    public const string BookingExpired = "booking_expired";
    public const string BookingCancelled = "booking_cancelled";
    public const string ShowtimeStarted = "showtime_started";
    public const string ProcessingFailed = "processing_failed";
    public const string CardDeclined = "card_declined";
    public const string InvalidToken = "invalid_token";

    public static readonly string[] All = [BookingExpired, BookingCancelled, ShowtimeStarted, ProcessingFailed, CardDeclined, InvalidToken];

    /// <summary>The reason recorded for a charge the gateway declined with <paramref name="gatewayReason"/>.</summary>
    public static string OfDecline(string? gatewayReason) => gatewayReason == InvalidToken ? InvalidToken : CardDeclined;
}

public sealed record CreatePaymentRequest(
    [property: Range(1, long.MaxValue, ErrorMessage = "Must be a positive booking id.")] long BookingId,
    [property: Required(ErrorMessage = "Give the payment token from the payment form."), StringLength(200, MinimumLength = 1, ErrorMessage = "Must be 1 to 200 characters.")] string PaymentToken)
    : IExample<CreatePaymentRequest>
{
    public static CreatePaymentRequest Example => new(1, "tok_visa");
}

/// <summary>A payment as the API shows it.</summary>
public sealed record PaymentResponse(
    long Id, long BookingId, decimal Amount, [property: OneOf(typeof(PaymentStatuses))] string Status,
    [property: OneOf(typeof(FailureReasons))] string? FailureReason, DateTime CreatedAt, DateTime? ProcessedAt) : IExample<PaymentResponse>
{
    public static PaymentResponse Example => new(1, 1, 25.00m, PaymentStatuses.Pending, null, new DateTime(2026, 11, 27, 9, 5, 0, DateTimeKind.Utc), null);

    public static PaymentResponse From(PaymentView p) => new(
        p.Id, p.BookingId, Money.FromCents(p.AmountCents), p.Status, p.FailureReason, Time.FromUnixMs(p.CreatedAt), Time.FromUnixMs(p.ProcessedAt));
}

/// <summary>A payments row as the API needs it.</summary>
/// <remarks>Rows are property-mapped (not positional) so Dapper converts SQLite's types, NULLs included.</remarks>
public sealed record PaymentView
{
    public long Id { get; init; }

    public long BookingId { get; init; }

    public long AmountCents { get; init; }

    public string Status { get; init; } = "";

    public string? FailureReason { get; init; }

    public long CreatedAt { get; init; }

    public long? ProcessedAt { get; init; }
}

/// <summary>
/// The <c>payments</c> queue message: which payment to process, and the W3C traceparent of the request that paid, so
/// that the processing is part of that request's trace (a message written before it existed has none, and still
/// processes).
/// </summary>
public sealed record PaymentMessage(long PaymentId, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TraceParent = null)
{
    public const string QueueName = "payments";

    /// <summary>Where the host moves a message that failed every try (host.json maxDequeueCount).</summary>
    public const string PoisonQueueName = QueueName + "-poison";
}

/// <summary>
/// The answer of POST /api/payments: the HTTP response and, for a newly accepted payment only, the queue message
/// that the host sends after the function returns (null sends nothing).
/// </summary>
public sealed class CreatePaymentOutput
{
    [HttpResult]
    public required IActionResult HttpResponse { get; set; }

    [QueueOutput(PaymentMessage.QueueName)]
    public PaymentMessage? Message { get; set; }
}

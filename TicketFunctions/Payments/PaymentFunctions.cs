using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.Auth;
using TicketFunctions.Common;
using TicketFunctions.OpenApi;
using TicketFunctions.Telemetry;

namespace TicketFunctions.Payments;

public sealed class PaymentFunctions(PaymentService payments)
{
    [Function("CreatePayment")]
    [Access(Access.User)]
    [Tags("Payments")]
    [EndpointSummary("Pay for a PENDING booking")]
    [EndpointDescription("Starts an asynchronous payment: answers 202 with the PENDING payment and queues it for processing; poll GET /api/payments/{id} " +
            "(or the booking) for the outcome. Only the booking's owner may pay it. The accepted payment keeps the booking's seats while it is processed: " +
            "the booking's hold (its expiresAt) is extended to at least the processing window (Payments__ProcessingHold) from now, and given back its " +
            "own end if the payment is not kept (a declined card, say). With an Idempotency-Key (1..100 printable ASCII characters, kept " +
            "24 hours per user), repeating the same body returns the first 202 answer again without a second payment; another body with that key is " +
            "409 idempotency_key_reused. Error answers are not stored. Simulated gateway tokens: tok_visa approves, tok_chargeDeclined declines " +
            "(card_declined), tok_processingError fails transiently (retried, then processing_failed), any other token declines (invalid_token).")]
    [Consumes(typeof(CreatePaymentRequest), "application/json")]
    [ApiHeader(PaymentService.IdempotencyHeader, MaxLength = PaymentService.IdempotencyKeyMaxLength, Pattern = PaymentService.IdempotencyKeyPattern,
        Description = "Optional; makes retries of this request safe for 24 hours.")]
    [ProducesResponseType(typeof(PaymentResponse), 202, Description = "Accepted; Location names the payment.")]
    [ProducesResponseType(400, Description = "A field or the Idempotency-Key header is invalid.")]
    [ProducesResponseType(404, Description = "No such booking of the caller's.")]
    [ProducesResponseType(409, Description = "booking_not_payable (not PENDING or its hold expired; extension `bookingStatus` says which), showtime_started, payment_exists (a PENDING or SUCCESS payment is there), or idempotency_key_reused.")]
    public async Task<CreatePaymentOutput> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "payments")] HttpRequest req)
    {
        var caller = req.HttpContext.Caller();
        var key = PaymentService.ReadIdempotencyKey(req);
        var body = await req.ReadJsonAsync<CreatePaymentRequest>(req.HttpContext.RequestAborted);
        if (!key.IsSuccess || !body.IsSuccess)
        {
            return new CreatePaymentOutput { HttpResponse = Problems.From(body.Error ?? key.Error!) };
        }

        var result = await payments.CreateAsync(body.Value, key.Value, caller, req.HttpContext.RequestAborted);
        return result.Match(
            accepted => new CreatePaymentOutput
            {
                HttpResponse = Accepted(accepted),
                Message = accepted.Replayed ? null : new PaymentMessage(accepted.PaymentId, AppActivities.CurrentTraceParent()),
            },
            error => new CreatePaymentOutput { HttpResponse = Problems.From(error) });
    }

    [Function("GetPayment")]
    [Access(Access.User)]
    [Tags("Payments")]
    [EndpointSummary("Read a payment")]
    [EndpointDescription("The owner of the payment or an Admin. SUCCESS: charged and the booking CONFIRMED. FAILED: nothing was charged; its "
        + $"failureReason is the gateway's decline ({FailureReasons.CardDeclined}, {SimulatedPaymentGateway.InvalidToken}), {FailureReasons.BookingExpired} "
        + $"(the hold ended before the payment was processed), {FailureReasons.BookingCancelled} (the booking was cancelled before the payment was "
        + $"processed), {FailureReasons.ShowtimeStarted} (the showtime began before it was processed) or {FailureReasons.ProcessingFailed} (processing "
        + "failed on every retry). REFUNDED: the money was taken and given back; its failureReason says why the booking could not be kept "
        + $"({FailureReasons.BookingCancelled}: cancelled, during the charge or after the confirmation; {FailureReasons.BookingExpired}: processing "
        + $"outlasted the processing window and another hold took a seat; {FailureReasons.ShowtimeStarted}; {FailureReasons.ProcessingFailed}). "
        + "The gateway's refund follows at once and is retried until it succeeds.")]
    [ProducesResponseType(typeof(PaymentResponse), 200)]
    [ProducesResponseType(404, Description = "No such payment, or not the caller's.")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "payments/{id:long}")] HttpRequest req, long id)
    {
        var caller = req.HttpContext.Caller();
        var payment = id > 0 ? await payments.GetAsync(id, caller, req.HttpContext.RequestAborted) : null;
        return payment is null ? Problems.NotFound($"There is no payment {id} of yours.") : new OkObjectResult(payment);
    }

    // The same bytes for the first answer and every replay: the body was serialized once and stored.
    private static Problems.WithHeader Accepted(PaymentAccepted accepted)
        => new Problems.WithHeader(
            new ContentResult { StatusCode = StatusCodes.Status202Accepted, Content = accepted.Body, ContentType = "application/json; charset=utf-8" },
            "Location",
            accepted.Location);
}

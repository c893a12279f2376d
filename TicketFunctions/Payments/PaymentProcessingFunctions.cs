using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using TicketFunctions.Telemetry;

namespace TicketFunctions.Payments;

/// <summary>The queue side of payments: process each message, and settle the ones that failed every retry.</summary>
public sealed partial class PaymentProcessingFunctions(PaymentProcessor processor, ILogger<PaymentProcessingFunctions> logger)
{
    private static readonly JsonSerializerOptions MessageJson = new(JsonSerializerDefaults.Web);

    [Function("ProcessPayment")]
    public async Task Run([QueueTrigger(PaymentMessage.QueueName)] PaymentMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var activity = AppActivities.StartContinuation("process payment", message.TraceParent);
        activity?.SetTag("tickets.payment.id", message.PaymentId);
        await processor.ProcessAsync(message.PaymentId, ct);
    }

    /// <summary>Takes the raw text, so that a message which is not JSON is logged and dropped rather than failing binding.</summary>
    [Function("ProcessPaymentPoison")]
    public async Task RunPoison([QueueTrigger(PaymentMessage.PoisonQueueName)] string message, CancellationToken ct)
    {
        var paymentId = Parse(message);
        if (paymentId is null)
        {
            LogInvalidMessage(message.Length > 200 ? message[..200] : message);
            return;
        }

        await processor.FailPoisonedAsync(paymentId.Value, ct);
    }

    private static long? Parse(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<PaymentMessage>(message, MessageJson) is { PaymentId: > 0 } parsed ? parsed.PaymentId : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(LogLevel.Warning, "A payments-poison message is not a payment message and is dropped: {Message}")]
    private partial void LogInvalidMessage(string message);
}

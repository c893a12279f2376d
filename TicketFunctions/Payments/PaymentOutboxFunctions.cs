using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace TicketFunctions.Payments;

/// <summary>
/// Finishes what the payments outbox holds: on the schedule in the app setting <c>Payments__ResendSchedule</c> (every
/// minute in the example settings and the deployment) it writes the message of every PENDING payment older than
/// <c>Payments__ResendAfter</c> again, through the host's queue output like the first one.
/// </summary>
public sealed partial class PaymentOutboxFunctions(PendingPaymentResender resender, ILogger<PaymentOutboxFunctions> logger)
{
    [Function("ResendPendingPayments")]
    [QueueOutput(PaymentMessage.QueueName)]
    public async Task<string[]> ResendPending([TimerTrigger("%Payments__ResendSchedule%")] TimerInfo timer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var messages = await resender.MessagesAsync(ct);
        if (messages.Length > 0)
        {
            LogResent(messages.Length);
        }

        return messages;
    }

    [LoggerMessage(LogLevel.Information, "Writing the messages of {Count} PENDING payment(s) again")]
    private partial void LogResent(int count);
}

using Azure.Storage.Queues;
using FunctionsLocalHost.Tests.Support;

namespace TicketFunctions.Tests.Support;

public static class PaymentQueues
{
    /// <summary>
    /// The payments queue and its poison queue, created and emptied: payment ids restart at 1 in each new database, so
    /// a message left by an earlier test in the class would name another test's payment.
    /// </summary>
    public static async Task EmptyAsync(AzuriteFixture azurite)
    {
        foreach (var name in new[] { "payments", "payments-poison" })
        {
            var queue = new QueueClient(azurite.ConnectionString, name);
            await queue.CreateIfNotExistsAsync();
            await queue.ClearMessagesAsync();
        }
    }
}

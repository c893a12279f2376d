using Azure.Storage.Queues;
using TicketFunctions.Payments;

namespace TicketFunctions.Tests.Support;

/// <summary>
/// The queues the app triggers on and sends to, which infra/resources.bicep creates in Azure: the Functions host creates
/// no trigger queue, so the tests and the benchmarks create them in Azurite before the app starts, as a deployment
/// does. A test ties this list to the app's bindings and to the Bicep.
/// </summary>
public static class AppQueues
{
    public static IReadOnlyList<string> Names { get; } = [PaymentMessage.QueueName, PaymentMessage.PoisonQueueName];

    public static async Task CreateAsync(string connectionString)
    {
        var service = new QueueServiceClient(connectionString);
        foreach (var name in Names)
        {
            await service.GetQueueClient(name).CreateIfNotExistsAsync();
        }
    }
}

using FunctionsLocalHost.Tests.Support;

using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace FunctionsLocalHost.Tests;

[Collection(AzuriteTests.Name)]
public sealed class QueueConnectionsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_queue_output_wakes_the_listeners_of_that_queue_only_like_the_hosts_SharedQueueWatcher()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString })
            .Build();
        var connections = new QueueConnections(configuration, QueueSettings.From(configuration.GetSection("AzureFunctionsJobHost:extensions:queues")));
        var woken = new List<string>();
        connections.WatchEnqueued(connections.Queue(null, $"paid-{id}"), () => woken.Add("paid"));
        connections.WatchEnqueued(connections.Queue(null, $"other-{id}"), () => woken.Add("other"));

        await connections.SendAsync(new QueueOutputAttribute($"PAID-{id}"), new { paymentId = 7 }, CancellationToken.None);

        Assert.Equal(["paid"], woken);
        var stored = (await connections.Queue(null, $"paid-{id}").PeekMessagesAsync()).Value;
        Assert.Single(stored);
    }
}

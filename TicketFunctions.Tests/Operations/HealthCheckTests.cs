using TicketFunctions.Operations;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Operations;

/// <summary>The health check asks the same queue client every time: with a managed identity, a new one would also mean a new credential and token.</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task Every_health_check_asks_the_one_queue_client_the_app_made()
    {
        await using var app = await TestApp.StartAsync();
        var checks = app.Get<HealthChecks>();

        await checks.RunAsync(CancellationToken.None);
        var first = checks.QueueClient;
        await checks.RunAsync(CancellationToken.None);
        await checks.RunAsync(CancellationToken.None);

        Assert.Same(first, checks.QueueClient);
        Assert.Same(first, app.Get<HealthChecks>().QueueClient);
    }
}

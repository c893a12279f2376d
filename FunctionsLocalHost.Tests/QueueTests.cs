using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using FunctionsLocalHost.Tests.Sample;
using FunctionsLocalHost.Tests.Support;

using Microsoft.Extensions.Configuration;

namespace FunctionsLocalHost.Tests;

[Collection(AzuriteTests.Name)]
public sealed class QueueTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task An_HttpResult_and_QueueOutput_object_queues_the_message_as_base64_JSON_and_answers_the_result()
    {
        // Nobody listens on the output queue here, so the message stays to be read.
        await using var host = await SampleHost.StartAsync(azurite, s => s["OrdersInQueue"] = $"{s["OrdersOutQueue"]}-unused");

        using var response = await host.Http.PostAsJsonAsync(new Uri("/api/orders", UriKind.Relative), new Order("o-1", "popcorn", 2));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("o-1", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        var messages = (await host.Queue("OrdersOutQueue").ReceiveMessagesAsync(32)).Value;
        var message = Assert.Single(messages);
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(message.Body.ToString()));
        Assert.Equal("""{"id":"o-1","item":"popcorn","quantity":2}""", json);
    }

    [Fact]
    public async Task A_message_queued_by_an_HTTP_function_triggers_the_queue_function_with_its_POCO()
    {
        await using var host = await SampleHost.StartAsync(azurite);

        using var response = await host.Http.PostAsJsonAsync(new Uri("/api/orders", UriKind.Relative), new Order("o-2", "nachos", 3));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await SampleHost.EventuallyAsync(() => Task.FromResult(host.Probe.Orders.Count), n => n > 0, "the queue function to run");
        Assert.Equal(new Order("o-2", "nachos", 3), Assert.Single(host.Probe.Orders));
        await SampleHost.EventuallyAsync(
            async () => (await host.Queue("OrdersInQueue").GetPropertiesAsync()).Value.ApproximateMessagesCount,
            n => n == 0,
            "the processed message to be deleted");
    }

    [Fact]
    public async Task A_function_that_keeps_failing_runs_maxDequeueCount_times_then_the_message_moves_to_poison()
    {
        await using var host = await SampleHost.StartAsync(azurite);
        var original = Convert.ToBase64String(Encoding.UTF8.GetBytes("charge card 42"));

        await host.Queue("FailingQueue").SendMessageAsync(original);

        var poison = host.Queues.GetQueueClient($"{host.Settings["FailingQueue"]}-poison");
        var poisoned = await SampleHost.EventuallyAsync(
            async () => (await poison.PeekMessagesAsync(32)).Value,
            m => m.Length > 0,
            "the message to reach the poison queue");
        Assert.Equal(original, Assert.Single(poisoned).Body.ToString());
        Assert.Equal(3, host.Probe.CallsOf("AlwaysFails")); // maxDequeueCount in the tests' host.json
        await SampleHost.EventuallyAsync(
            async () => (await host.Queue("FailingQueue").GetPropertiesAsync()).Value.ApproximateMessagesCount,
            n => n == 0,
            "the message to leave the original queue");
        Assert.Equal(3, host.Probe.CallsOf("AlwaysFails"));
    }

    [Fact]
    public async Task A_message_that_is_not_base64_goes_to_poison_without_invoking_the_function()
    {
        await using var host = await SampleHost.StartAsync(azurite);

        await host.Queue("OrdersInQueue").SendMessageAsync("{not base64}");

        var poison = host.Queues.GetQueueClient($"{host.Settings["OrdersInQueue"]}-poison");
        var poisoned = await SampleHost.EventuallyAsync(
            async () => (await poison.PeekMessagesAsync(32)).Value,
            m => m.Length > 0,
            "the message to reach the poison queue");
        Assert.Equal("{not base64}", Assert.Single(poisoned).Body.ToString());
        Assert.Equal(0, host.Probe.CallsOf("ProcessOrder"));
    }

    [Fact]
    public async Task A_message_whose_JSON_does_not_fit_the_POCO_goes_to_poison_without_invoking_the_function()
    {
        await using var host = await SampleHost.StartAsync(azurite);
        var original = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"id": 5, "item": [ ]}"""));

        await host.Queue("OrdersInQueue").SendMessageAsync(original);

        var poison = host.Queues.GetQueueClient($"{host.Settings["OrdersInQueue"]}-poison");
        await SampleHost.EventuallyAsync(async () => (await poison.PeekMessagesAsync(32)).Value, m => m.Length > 0, "the poison message");
        Assert.Equal(0, host.Probe.CallsOf("ProcessOrder"));
    }

    [Fact]
    public async Task A_queue_output_that_cannot_be_sent_answers_500_problem_json_without_details()
    {
        // Underscores are not allowed in queue names, so Storage refuses the send.
        await using var host = await SampleHost.StartAsync(azurite, s => s["OrdersOutQueue"] = "not_a_valid_queue");

        using var response = await host.Http.PostAsJsonAsync(new Uri("/api/orders", UriKind.Relative), new Order("o-3", "soda", 1));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("not_a_valid_queue", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void UseDevelopmentStorage_means_the_standard_Azurite_queue_endpoint()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" })
            .Build();
        var settings = HostSettings.From(configuration).Queues;

        var queue = new QueueConnections(configuration, settings).Queue(null, "Payments");

        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1/payments"), queue.Uri);
    }

    [Fact]
    public async Task A_disabled_queue_function_leaves_its_messages_in_the_queue()
    {
        await using var host = await SampleHost.StartAsync(azurite, s => s["AzureWebJobs.ProcessOrder.Disabled"] = "1");

        using var response = await host.Http.PostAsJsonAsync(new Uri("/api/orders", UriKind.Relative), new Order("o-9", "soda", 1));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var waiting = await SampleHost.EventuallyAsync(
            async () => (await host.Queue("OrdersInQueue").PeekMessagesAsync(32)).Value.Length,
            n => n > 0,
            "the message to be queued");
        Assert.Equal(1, waiting);

        // An enabled listener takes a message sent by its own host at once (SharedQueueWatcher); give it ample time.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single((await host.Queue("OrdersInQueue").PeekMessagesAsync(32)).Value);
        Assert.Empty(host.Probe.Orders);
    }
}

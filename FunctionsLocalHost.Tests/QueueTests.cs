using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using FunctionsLocalHost.Tests.Support;

using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost.Tests;

[Collection(SampleAppTests.Name)]
public sealed class QueueTests(SampleAppFixture fixture)
{
    private SampleApp App => fixture.App;

    [Fact]
    public async Task An_HttpResult_with_a_QueueOutput_answers_and_queues_what_the_worker_serialized_PascalCase_and_base64()
    {
        // With the queue function disabled nobody takes the message, so it can be read as stored.
        await using var app = await SampleApp.StartAsync(fixture.Azurite, s => s["AzureWebJobs.ProcessOrder.Disabled"] = "true");

        using var response = await app.Http.PostAsJsonAsync(new Uri("/sample/orders", UriKind.Relative), new { id = "o-1", item = "popcorn", quantity = 2 });

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}; the host's log:{Environment.NewLine}{app.Log}");
        Assert.Equal("o-1", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        var stored = (await app.Queue("OrdersQueue").PeekMessagesAsync(32)).Value;
        Assert.Equal("""{"Id":"o-1","Item":"popcorn","Quantity":2}""", SampleApp.FromBase64(Assert.Single(stored).Body.ToString()));
        // A disabled queue function is not listened to: the message stays, though this host's own send would wake a listener.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single((await app.Queue("OrdersQueue").PeekMessagesAsync(32)).Value);
        Assert.Contains(("ProcessOrder", "queueTrigger", false), app.Host.Functions);
    }

    [Fact]
    public async Task A_queued_message_triggers_its_function_once_with_the_POCO_and_is_deleted_after_success()
    {
        using var response = await App.Http.PostAsJsonAsync(new Uri("/sample/orders", UriKind.Relative), new { id = "o-2", item = "nachos", quantity = 3 });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var seen = await App.CollectAsync("SeenQueue", 1);
        var report = JsonDocument.Parse(Assert.Single(seen)).RootElement;
        Assert.Equal("ProcessOrder", report.GetProperty("Function").GetString());
        Assert.Equal("o-2/nachos/3", report.GetProperty("Text").GetString());
        Assert.Equal(1, report.GetProperty("DequeueCount").GetInt64());
        await SampleApp.EventuallyAsync(
            async () => (await App.Queue("OrdersQueue").GetPropertiesAsync()).Value.ApproximateMessagesCount,
            n => n == 0,
            "the processed message to be deleted");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(await SampleApp.ReceiveAsync(App.Queue("SeenQueue")));
    }

    [Fact]
    public async Task A_failure_on_a_trigger_queue_ending_in_poison_is_neither_retried_at_once_nor_moved_to_another_poison_queue()
    {
        // azure-webjobs-sdk-extensions: QueueListenerFactory.CreatePoisonQueueReference gives a "-poison" queue no
        // poison queue, and QueueProcessor.CompleteProcessingMessageAsync then leaves a failed message invisible
        // (no release) until its lease ends, "to prevent a fast infinite loop".
        var first = $"dead letter {Guid.NewGuid():N}";
        var second = $"dead letter {Guid.NewGuid():N}";
        var queue = App.Queue("DeadLetterQueue");

        await queue.SendMessageAsync(SampleApp.Base64(first));
        await SampleApp.EventuallyAsync(() => Task.FromResult(App.Log.Containing("Executed 'Functions.FailsOnPoisonQueue' (Failed, Id=")), l => l.Count == 1, "the first failure");
        // A later message fails too; only then is the first one's try count read: with visibilityTimeout 0 and a
        // 200 ms poll, a released message would have been tried again long before.
        await queue.SendMessageAsync(SampleApp.Base64(second));
        await SampleApp.EventuallyAsync(() => Task.FromResult(App.Log.Containing($"FailsOnPoisonQueue got '{second}'")), l => l.Count == 1, "the second failure");

        Assert.Equal(["on try 1"], App.Log.Containing($"FailsOnPoisonQueue got '{first}'").Select(l => l.Message[^8..]));
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
        Assert.Equal(2, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.False((await App.Queues.GetQueueClient($"{queue.Name}-poison").ExistsAsync()).Value);
    }

    [Fact]
    public async Task A_trigger_queue_that_does_not_exist_is_polled_as_empty_without_error_and_not_created_and_runs_its_first_message_once_someone_creates_it()
    {
        // Azure/azure-sdk-for-net Microsoft.Azure.WebJobs.Extensions.Storage.Queues, QueueListener.ExecuteAsync: until the
        // queue exists each poll asks ExistsAsync and backs off as after an empty poll; nothing creates a trigger queue.
        // The output binding creates its queue (QueuesExtensionConfigProvider.QueueAsyncCollector.AddAsync).
        await using var app = await SampleApp.StartAsync(fixture.Azurite, createQueues: false, minimumLevel: LogLevel.Debug);
        var orders = app.Queue("OrdersQueue");

        await SampleApp.EventuallyAsync(
            () => Task.FromResult(app.Log.Containing($"Queue '{orders.Name}' of 'Functions.ProcessOrder' does not exist; next poll in")),
            l => l.Count >= 3,
            "three polls of the missing queue");

        Assert.False((await orders.ExistsAsync()).Value);
        Assert.False((await app.Queue("SeenQueue").ExistsAsync()).Value);
        Assert.Single(app.Log.Containing($"Queue '{orders.Name}' of 'Functions.ProcessOrder' does not exist; it is polled as an empty queue"));

        // Created and sent to from outside, so no send of this host wakes the listener: its own polling finds the message.
        await orders.CreateAsync();
        await orders.SendMessageAsync(SampleApp.Base64("""{"Id":"o-late","Item":"popcorn","Quantity":1}"""));

        var seen = JsonDocument.Parse(Assert.Single(await app.CollectAsync("SeenQueue", 1))).RootElement;
        Assert.Equal("o-late/popcorn/1", seen.GetProperty("Text").GetString());
        Assert.Empty(app.Log.Containing("Polling queue"));
    }

    [Fact]
    public async Task The_poison_queue_is_created_by_the_first_message_moved_there_not_at_start()
    {
        // QueueProcessor.CopyMessageToPoisonQueueAsync: AddMessageAndCreateIfNotExistsAsync on the poison queue.
        await using var app = await SampleApp.StartAsync(fixture.Azurite, createQueues: false);
        var failing = app.Queue("FailingQueue");
        var poison = app.Poison("FailingQueue");
        await failing.CreateAsync();
        Assert.False((await poison.ExistsAsync()).Value);
        var text = $"charge card {Guid.NewGuid():N}";

        await failing.SendMessageAsync(SampleApp.Base64(text));

        var poisoned = await SampleApp.EventuallyAsync(
            async () => (await SampleApp.PeekAsync(poison)).Select(m => m.Body.ToString()).ToList(),
            m => m.Count > 0,
            "the message to reach the poison queue");
        Assert.Equal([SampleApp.Base64(text)], poisoned);
        Assert.Equal(3, app.Log.Containing($"AlwaysFails got '{text}'").Count);
    }

    [Fact]
    public async Task A_trigger_queue_whose_name_leaves_no_room_for_the_poison_suffix_gets_no_poison_queue()
    {
        // QueueListenerFactory.CreatePoisonQueueReference: no poison queue when "<name>-poison" is not a valid queue name
        // (more than 63 characters); then QueueProcessor leaves a failed message invisible, as on a "-poison" queue.
        var name = $"failing-{Guid.NewGuid():N}-{new string('x', 20)}";
        Assert.Equal(61, name.Length);
        await using var app = await SampleApp.StartAsync(fixture.Azurite, s => s["FailingQueue"] = name);
        var first = $"no room {Guid.NewGuid():N}";
        var second = $"no room {Guid.NewGuid():N}";

        await app.Queue("FailingQueue").SendMessageAsync(SampleApp.Base64(first));
        await SampleApp.EventuallyAsync(() => Task.FromResult(app.Log.Containing($"AlwaysFails got '{first}'")), l => l.Count == 1, "the first failure");
        // A later message fails too; only then is the first one's try count read: with visibilityTimeout 0 and a 200 ms
        // poll, a released message would have been tried again long before.
        await app.Queue("FailingQueue").SendMessageAsync(SampleApp.Base64(second));
        await SampleApp.EventuallyAsync(() => Task.FromResult(app.Log.Containing($"AlwaysFails got '{second}'")), l => l.Count == 1, "the second failure");

        Assert.Single(app.Log.Containing($"AlwaysFails got '{first}'"));
        Assert.Equal(2, (await app.Queue("FailingQueue").GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await app.Queue("FailingQueue").PeekMessagesAsync(32)).Value);
    }

    [Fact]
    public async Task A_function_that_keeps_failing_runs_maxDequeueCount_times_then_its_message_moves_to_poison()
    {
        var text = $"charge card {Guid.NewGuid():N}";

        await App.Queue("FailingQueue").SendMessageAsync(SampleApp.Base64(text));

        var poisoned = await SampleApp.EventuallyAsync(
            async () => (await SampleApp.PeekAsync(App.Poison("FailingQueue"))).Where(m => m.Body.ToString() == SampleApp.Base64(text)).ToList(),
            m => m.Count > 0,
            "the message to reach the poison queue");
        Assert.Single(poisoned);
        // The worker's own log lines (RpcLog) reach the host's log: one per try, with the DequeueCount it was given.
        var tries = App.Log.Containing($"AlwaysFails got '{text}'");
        Assert.Equal(["on try 1", "on try 2", "on try 3"], tries.Select(l => l.Message[^8..]));
        Assert.All(tries, l => Assert.Equal(LogLevel.Warning, l.Level));
        // The host logs the move once the message is on the poison queue and off its own.
        var moved = await SampleApp.EventuallyAsync(
            () => Task.FromResult(App.Log.Containing($"moved to '{App.Settings["FailingQueue"]}-poison'")),
            l => l.Count > 0,
            "the host to log the move to the poison queue");
        Assert.Single(moved, l => l.Message.Contains("the function failed 3 times", StringComparison.Ordinal));
        await SampleApp.EventuallyAsync(
            async () => (await App.Queue("FailingQueue").GetPropertiesAsync()).Value.ApproximateMessagesCount,
            n => n == 0,
            "the message to leave the original queue");
    }

    [Fact]
    public async Task A_message_that_is_not_base64_goes_straight_to_poison_without_an_invocation()
    {
        var text = $"{{not base64 {Guid.NewGuid():N}}}";

        await App.Queue("FailingQueue").SendMessageAsync(text);

        var poisoned = await SampleApp.EventuallyAsync(
            async () => (await SampleApp.PeekAsync(App.Poison("FailingQueue"))).Where(m => m.Body.ToString() == text).ToList(),
            m => m.Count > 0,
            "the message to reach the poison queue");
        Assert.Single(poisoned);

        // The host logs the poisoning once the message is on the poison queue and off its own.
        await SampleApp.EventuallyAsync(
            () => Task.FromResult(App.Log.Containing("is not base64").Where(l => l.Level == LogLevel.Warning).ToList()),
            l => l.Count > 0,
            "the host to log why the message was poisoned");
        Assert.Empty(App.Log.Containing(text[1..^1]));
    }

    [Fact]
    public async Task VisibilityTimeout_keeps_a_failed_message_hidden_between_tries()
    {
        await using var app = await SampleApp.StartAsync(
            fixture.Azurite, s => s["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:02");
        var text = $"retry later {Guid.NewGuid():N}";

        await app.Queue("FailingQueue").SendMessageAsync(SampleApp.Base64(text));

        await SampleApp.EventuallyAsync(
            async () => (await SampleApp.PeekAsync(app.Poison("FailingQueue"))).Count,
            n => n > 0,
            "the message to reach the poison queue");
        var tries = app.Log.Containing($"AlwaysFails got '{text}'").Select(l => l.At).ToList();
        Assert.Equal(3, tries.Count);
        Assert.All(tries.Zip(tries.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromSeconds(1.9), $"{pair.First:O} -> {pair.Second:O}"));
    }

    [Fact]
    public async Task BatchSize_and_newBatchThreshold_bound_how_many_messages_run_at_once()
    {
        await using var app = await SampleApp.StartAsync(fixture.Azurite, s =>
        {
            s["AzureFunctionsJobHost__extensions__queues__batchSize"] = "2";
            s["AzureFunctionsJobHost__extensions__queues__newBatchThreshold"] = "0";
        });

        await Task.WhenAll(Enumerable.Range(1, 6).Select(i => app.Queue("SlowQueue").SendMessageAsync(SampleApp.Base64($"slow {i}"))));
        await Task.WhenAll(Enumerable.Range(1, 8).Select(i => App.Queue("SlowQueue").SendMessageAsync(SampleApp.Base64($"slow {i}"))));

        var limited = (await app.CollectAsync("SeenQueue", 6)).Select(Concurrency).ToList();
        var shared = (await App.CollectAsync("SeenQueue", 8)).Select(Concurrency).ToList();
        Assert.True(limited.Max() <= 2, $"batchSize 2, newBatchThreshold 0: {string.Join(',', limited)}");
        // host.json batchSize 4 and the default newBatchThreshold (half of it): up to 6 at once, here more than 2.
        Assert.True(shared.Max() is > 2 and <= 6, $"batchSize 4, newBatchThreshold 2: {string.Join(',', shared)}");
    }

    [Fact]
    public async Task A_send_by_the_host_itself_wakes_a_listener_that_has_backed_off()
    {
        await using var app = await SampleApp.StartAsync(
            fixture.Azurite, s => s["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:30");
        // A first order warms the worker up, so that the second one measures the listener, not a cold start.
        await app.Http.PostAsJsonAsync(new Uri("/sample/orders", UriKind.Relative), new { id = "o-warm", item = "soda", quantity = 1 });
        await app.CollectAsync("SeenQueue", 1);
        // Empty polls double the wait from 100 ms: after 7 s of them it is about 6.4 s.
        await Task.Delay(TimeSpan.FromSeconds(7));

        using var response = await app.Http.PostAsJsonAsync(new Uri("/sample/orders", UriKind.Relative), new { id = "o-3", item = "soda", quantity = 1 });
        var answered = DateTime.UtcNow;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var seen = JsonDocument.Parse(Assert.Single(await app.CollectAsync("SeenQueue", 1))).RootElement;
        Assert.Equal("o-3/soda/1", seen.GetProperty("Text").GetString());
        var started = seen.GetProperty("StartedAtUtc").GetDateTime();
        Assert.True(started - answered < TimeSpan.FromSeconds(2), $"the queue function started {(started - answered).TotalMilliseconds:0} ms after the answer");
    }

    private static int Concurrency(string seen) => JsonDocument.Parse(seen).RootElement.GetProperty("Concurrency").GetInt32();
}

using System.Globalization;
using System.Text;
using System.Text.Json;

using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

using FunctionsLocalHost.Rpc;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>
/// Drives one <c>[QueueTrigger]</c> function like the Functions host's queue listener: polls with a randomized
/// exponential back-off, runs a batch concurrently, deletes a message only after success, lets a failed one reappear
/// after <c>visibilityTimeout</c>, and moves it to <c>&lt;queue&gt;-poison</c> at <c>maxDequeueCount</c>. It creates
/// no queue: as the queues extension's QueueListener.ExecuteAsync (Azure/azure-sdk-for-net, namespace
/// Microsoft.Azure.WebJobs.Extensions.Storage.Common.Listeners), a trigger queue that does not exist is polled as an
/// empty one (asked whether it exists until it does, then received from), and the poison queue is created by the first
/// message moved there (QueueProcessor.CopyMessageToPoisonQueueAsync, AddMessageAndCreateIfNotExistsAsync).
/// </summary>
internal sealed class QueueFunctionListener : BackgroundService
{
    // Long enough for any local invocation; the message reappears if the process dies mid-way.
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private readonly HostedFunction _function;
    private readonly FunctionInvoker _invoker;
    private readonly QueueConnections _connections;
    private readonly QueueSettings _settings;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _aborted = new();
    private TaskCompletionSource _enqueued = NewSignal();

    // Unknown at first; once the queue is seen to exist the poll only receives, until a Storage error makes it ask again.
    private bool? _queueExists;

    public QueueFunctionListener(HostedFunction function, FunctionInvoker invoker, QueueConnections connections, ILoggerFactory loggers)
    {
        _function = function;
        _invoker = invoker;
        _connections = connections;
        _settings = connections.Settings;
        _logger = loggers.CreateLogger($"Function.{function.Name}");
        var connection = function.Trigger.Text("connection");
        Queue = connections.Queue(connection, function.Trigger.Text("queueName")
            ?? throw new InvalidOperationException($"Function '{function.Name}': its queue trigger names no queue."));
        // A queue that is itself a poison queue gets none, nor one whose name would be too long with "-poison" (queue
        // names are 3 to 63 characters) (QueueListenerFactory.CreatePoisonQueueReference): its failed messages are
        // neither released nor moved.
        Poison = Queue.Name.EndsWith("-poison", StringComparison.Ordinal) || Queue.Name.Length + "-poison".Length > 63
            ? null
            : connections.Service(connection).GetQueueClient($"{Queue.Name}-poison");
        _connections.WatchEnqueued(Queue, () => Interlocked.Exchange(ref _enqueued, NewSignal()).TrySetResult());
    }

    internal QueueClient Queue { get; }

    /// <summary>The queue failed messages move to; null for a trigger queue whose name ends in <c>-poison</c>.</summary>
    internal QueueClient? Poison { get; }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // In-flight invocations finish; only when the host's shutdown timeout runs out are they told to stop (the
        // worker cancels them). Either way the stop waits until each message is settled, deleted or released, so no
        // message is left invisible for a lease that nobody holds any more.
        using var abort = cancellationToken.Register(_aborted.Cancel);
        await base.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _aborted.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(QueueSettings.MinPollingInterval, _settings.MaxPollingInterval);
        var inFlight = new HashSet<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before the poll, so a message this host sends after an empty poll still cuts the wait short.
            var enqueued = Volatile.Read(ref _enqueued).Task;
            var delay = TimeSpan.Zero;
            try
            {
                if (_queueExists != true)
                {
                    var existed = _queueExists;
                    _queueExists = (await Queue.ExistsAsync(stoppingToken).ConfigureAwait(false)).Value;
                    if (!_queueExists.Value && existed is null)
                    {
                        HostLog.QueueMissing(_logger, Queue.Name, _function.Name);
                    }
                }

                if (!_queueExists.Value)
                {
                    delay = backoff.Next();
                    HostLog.MissingQueuePolled(_logger, Queue.Name, _function.Name, (long)delay.TotalMilliseconds);
                }
                else if (inFlight.Count <= _settings.NewBatchThreshold)
                {
                    QueueMessage[] messages = await Queue.ReceiveMessagesAsync(_settings.BatchSize, Lease, stoppingToken).ConfigureAwait(false);
                    foreach (var message in messages)
                    {
                        inFlight.Add(ProcessAsync(message));
                    }

                    if (messages.Length > 0)
                    {
                        backoff.Reset();
                    }
                    else
                    {
                        delay = backoff.Next();
                    }
                }
                else
                {
                    delay = Timeout.InfiniteTimeSpan;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Whatever failed, the next poll asks again whether the queue exists (it may have been deleted).
                _queueExists = null;
                HostLog.PollFailed(_logger, ex, Queue.Name, _function.Name);
                delay = backoff.Next();
            }

            if (delay != TimeSpan.Zero)
            {
                // Wake up for the next poll, as soon as an invocation ends and frees a slot, or when this host has
                // sent a message to the queue (then the back-off starts over, as in the Functions host).
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var woke = await Task.WhenAny([.. inFlight, enqueued, Task.Delay(delay, wait.Token)]).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
                if (woke == enqueued)
                {
                    backoff.Reset();
                }
            }

            inFlight.RemoveWhere(t => t.IsCompleted);
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ProcessAsync(QueueMessage message)
    {
        await Task.Yield();
        if (message.DequeueCount > _settings.MaxDequeueCount)
        {
            await PoisonAsync(message, $"dequeued {message.DequeueCount} times, more than maxDequeueCount {_settings.MaxDequeueCount}").ConfigureAwait(false);
            return;
        }

        byte[] body;
        try
        {
            body = _settings.Base64 ? Convert.FromBase64String(message.Body.ToString()) : message.Body.ToArray();
        }
        catch (FormatException)
        {
            // As in the Functions host: a message that is not base64 can never be bound, so it is not retried.
            await PoisonAsync(message, "it is not base64 text (host.json extensions.queues.messageEncoding is base64)").ConfigureAwait(false);
            return;
        }

        var request = FunctionInvoker.Request(_function, Trigger(body, out var text));
        request.TriggerMetadata["QueueTrigger"] = new TypedData { String = text ?? Convert.ToBase64String(body) };
        request.TriggerMetadata["Id"] = new TypedData { String = message.MessageId };
        request.TriggerMetadata["PopReceipt"] = new TypedData { String = message.PopReceipt };
        request.TriggerMetadata["DequeueCount"] = new TypedData { Json = message.DequeueCount.ToString(CultureInfo.InvariantCulture) };
        request.TriggerMetadata["InsertionTime"] = Date(message.InsertedOn);
        request.TriggerMetadata["ExpirationTime"] = Date(message.ExpiresOn);
        request.TriggerMetadata["NextVisibleTime"] = Date(message.NextVisibleOn);

        using var lease = new LeaseRenewal(Queue, message, Lease, _logger);
        // The queue trigger's reason (azure-webjobs-sdk-extensions QueueTriggerBinding.GetTriggerReason).
        var reason = string.Format(CultureInfo.InvariantCulture, "New queue message detected on '{0}'.", Queue.Name);
        var succeeded = await _invoker.InvokeAsync(_function, request, reason, _aborted.Token).ConfigureAwait(false);
        await lease.StopAsync().ConfigureAwait(false);
        await CompleteAsync(message, lease.PopReceipt, succeeded).ConfigureAwait(false);
    }

    /// <summary>
    /// The message as the Functions host hands it to a worker: JSON text as json, other text as a string, anything that
    /// is not UTF-8 as bytes.
    /// </summary>
    private static TypedData Trigger(byte[] body, out string? text)
    {
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            text = null;
            return new TypedData { Bytes = Google.Protobuf.ByteString.CopyFrom(body) };
        }

        return IsJson(text) ? new TypedData { Json = text } : new TypedData { String = text };
    }

    private static bool IsJson(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty || (trimmed[0] != '{' && trimmed[0] != '['))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static TypedData Date(DateTimeOffset? value)
        => value is { } date ? new TypedData { Json = JsonSerializer.Serialize(date) } : new TypedData { Json = "null" };

    private async Task CompleteAsync(QueueMessage message, string popReceipt, bool succeeded)
    {
        try
        {
            if (succeeded)
            {
                await Queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None).ConfigureAwait(false);
            }
            else if (Poison is null)
            {
                // As the Functions host's QueueProcessor: with no poison queue a failed message is not released, so
                // it stays invisible until its lease ends instead of failing again at once, again and again.
            }
            else if (message.DequeueCount >= _settings.MaxDequeueCount)
            {
                await PoisonAsync(message, $"the function failed {message.DequeueCount} times (maxDequeueCount {_settings.MaxDequeueCount})", popReceipt).ConfigureAwait(false);
            }
            else
            {
                await Queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: _settings.VisibilityTimeout, cancellationToken: CancellationToken.None)
                    .ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            HostLog.CompleteFailed(_logger, ex, message.MessageId, Queue.Name);
        }
    }

    private async Task PoisonAsync(QueueMessage message, string reason, string? popReceipt = null)
    {
        if (Poison is null)
        {
            // The Functions host's QueueProcessor.HandlePoisonMessageAsync does nothing without a poison queue: the
            // message stays where it is, invisible until its lease ends.
            return;
        }

        try
        {
            // The original text, still encoded: the poison queue holds the message as it was sent. Listeners of this
            // host on the poison queue poll at once (QueueListener.RegisterSharedWatcherWithQueueProcessor).
            await QueueConnections.SendCreatingQueueAsync(Poison, message.Body.ToString(), CancellationToken.None).ConfigureAwait(false);
            _connections.Notify(Poison);
            await Queue.DeleteMessageAsync(message.MessageId, popReceipt ?? message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
            HostLog.Poisoned(_logger, message.MessageId, Queue.Name, Poison.Name, reason);
        }
        catch (Exception ex)
        {
            HostLog.CompleteFailed(_logger, ex, message.MessageId, Queue.Name);
        }
    }

    /// <summary>Randomized exponential back-off between empty polls, from 100 ms up to maxPollingInterval.</summary>
    private sealed class Backoff(TimeSpan min, TimeSpan max)
    {
        private TimeSpan _current = TimeSpan.Zero;

        public void Reset() => _current = TimeSpan.Zero;

        public TimeSpan Next()
        {
            _current = _current == TimeSpan.Zero ? min : TimeSpan.FromTicks(Math.Min(_current.Ticks * 2, max.Ticks));
#pragma warning disable CA5394 // Jitter only spreads polls; it needs no cryptographic randomness.
            var jittered = _current * (0.8 + (Random.Shared.NextDouble() * 0.4));
#pragma warning restore CA5394
            return jittered > max ? max : jittered;
        }
    }

    /// <summary>
    /// Keeps a message invisible while its invocation runs, as the Functions host does: the lease is renewed at half its
    /// length, so a long invocation keeps its message and a dead host's message reappears when the lease runs out.
    /// </summary>
    private sealed class LeaseRenewal : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        public LeaseRenewal(QueueClient queue, QueueMessage message, TimeSpan lease, ILogger logger)
        {
            PopReceipt = message.PopReceipt;
            _renewing = RenewAsync(queue, message.MessageId, lease, logger);
        }

        public string PopReceipt { get; private set; }

        public async Task StopAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _renewing.ConfigureAwait(false);
        }

        public void Dispose() => _stop.Dispose();

        private async Task RenewAsync(QueueClient queue, string messageId, TimeSpan lease, ILogger logger)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(lease / 2, _stop.Token).ConfigureAwait(false);
                    var receipt = await queue.UpdateMessageAsync(messageId, PopReceipt, visibilityTimeout: lease, cancellationToken: _stop.Token).ConfigureAwait(false);
                    PopReceipt = receipt.Value.PopReceipt;
                }
            }
            catch (OperationCanceledException)
            {
                // The invocation ended.
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException)
            {
                HostLog.CompleteFailed(logger, ex, messageId, queue.Name);
            }
        }
    }
}

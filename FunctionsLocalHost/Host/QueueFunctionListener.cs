using System.Diagnostics;
using System.Text;
using System.Text.Json;

using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>
/// Drives one <c>[QueueTrigger]</c> function like the Functions host's queue listener: polls with a randomized
/// exponential back-off, runs a batch concurrently, deletes a message only after success, lets a failed one reappear
/// after <c>visibilityTimeout</c>, and moves it to <c>&lt;queue&gt;-poison</c> at <c>maxDequeueCount</c>.
/// </summary>
internal sealed class QueueFunctionListener : BackgroundService
{
    // Long enough for any local invocation; the message reappears if the process dies mid-way.
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    private static readonly JsonSerializerOptions PocoOptions = new() { PropertyNameCaseInsensitive = true };

    private readonly FunctionDefinition _function;
    private readonly IServiceProvider _services;
    private readonly QueueConnections _connections;
    private readonly QueueSettings _settings;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _aborted = new();
    private TaskCompletionSource _enqueued = NewSignal();
    private bool _ready;

    public QueueFunctionListener(FunctionDefinition function, IServiceProvider services)
    {
        _function = function;
        _services = services;
        _connections = services.GetRequiredService<QueueConnections>();
        _settings = _connections.Settings;
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger($"Function.{function.Name}");
        Queue = _connections.Queue(function.QueueTrigger!.Connection, function.QueueTrigger.QueueName);
        Poison = _connections.Service(function.QueueTrigger.Connection).GetQueueClient($"{Queue.Name}-poison");
        _connections.WatchEnqueued(Queue, () => Interlocked.Exchange(ref _enqueued, NewSignal()).TrySetResult());
    }

    internal QueueClient Queue { get; }

    internal QueueClient Poison { get; }

    /// <summary>
    /// Creates the queue and its poison queue before the host reports itself started, so that a message sent once the
    /// host is up always has its queue; if Storage does not answer yet, the poll loop keeps trying.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await EnsureQueuesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException)
        {
            HostLog.PollFailed(_logger, ex, Queue.Name, _function.Name);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // In-flight invocations finish; only when the host's shutdown timeout runs out are they told to stop.
        using var abort = cancellationToken.Register(_aborted.Cancel);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
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
                if (!_ready)
                {
                    await EnsureQueuesAsync(stoppingToken).ConfigureAwait(false);
                }

                if (inFlight.Count <= _settings.NewBatchThreshold)
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

    private async Task EnsureQueuesAsync(CancellationToken cancellationToken)
    {
        await _connections.EnsureCreatedAsync(Queue, cancellationToken).ConfigureAwait(false);
        await _connections.EnsureCreatedAsync(Poison, cancellationToken).ConfigureAwait(false);
        _ready = true;
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

        object? trigger;
        try
        {
            trigger = Bind(message);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or NotSupportedException)
        {
            await PoisonAsync(message, $"it cannot be bound to {_function.TriggerParameter.ParameterType.Name} ({ex.Message})").ConfigureAwait(false);
            return;
        }

        var invocationId = Guid.NewGuid();
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var scope = _services.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var arguments = _function.Method.GetParameters()
                    .Select(p => p == _function.TriggerParameter ? trigger : (object)_aborted.Token)
                    .ToArray();
                var returned = await FunctionInvoker.InvokeAsync(_function, scope.ServiceProvider, arguments).ConfigureAwait(false);
                foreach (var (binding, value) in FunctionOutputs.From(_function, returned).QueueMessages)
                {
                    await _connections.SendAsync(binding, value, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            HostLog.Failed(_logger, ex, _function.Name, invocationId, stopwatch.ElapsedMilliseconds);
            await CompleteAsync(message, succeeded: false).ConfigureAwait(false);
            return;
        }

        HostLog.Succeeded(_logger, _function.Name, invocationId, stopwatch.ElapsedMilliseconds);
        await CompleteAsync(message, succeeded: true).ConfigureAwait(false);
    }

    private object? Bind(QueueMessage message)
    {
        var body = _settings.Base64 ? Convert.FromBase64String(message.Body.ToString()) : message.Body.ToArray();
        var type = _function.TriggerParameter.ParameterType;
        if (type == typeof(string))
        {
            return Encoding.UTF8.GetString(body);
        }

        if (type == typeof(byte[]))
        {
            return body;
        }

        if (type == typeof(BinaryData))
        {
            return new BinaryData(body);
        }

        if (type == typeof(QueueMessage))
        {
            return QueuesModelFactory.QueueMessage(
                message.MessageId, message.PopReceipt, new BinaryData(body), message.DequeueCount,
                message.NextVisibleOn, message.InsertedOn, message.ExpiresOn);
        }

        return JsonSerializer.Deserialize(body, type, PocoOptions);
    }

    private async Task CompleteAsync(QueueMessage message, bool succeeded)
    {
        try
        {
            if (succeeded)
            {
                await Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
            }
            else if (message.DequeueCount >= _settings.MaxDequeueCount)
            {
                await PoisonAsync(message, $"the function failed {message.DequeueCount} times (maxDequeueCount {_settings.MaxDequeueCount})").ConfigureAwait(false);
            }
            else
            {
                await Queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: _settings.VisibilityTimeout, cancellationToken: CancellationToken.None)
                    .ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            HostLog.CompleteFailed(_logger, ex, message.MessageId, Queue.Name);
        }
    }

    private async Task PoisonAsync(QueueMessage message, string reason)
    {
        try
        {
            // The original text, still encoded: the poison queue holds the message as it was sent.
            await Poison.SendMessageAsync(message.Body.ToString(), CancellationToken.None).ConfigureAwait(false);
            await Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
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
}

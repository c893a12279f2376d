using System.Collections.Concurrent;
using System.Text;

using Azure.Storage.Queues;

using Microsoft.Extensions.Configuration;

namespace FunctionsLocalHost;

/// <summary>
/// Storage queue clients by connection setting, and the sending side of queue output bindings. Clients never encode:
/// the host does (base64 by default), so that a message that is not base64 can be told apart and poisoned.
/// </summary>
internal sealed class QueueConnections(IConfiguration configuration, QueueSettings settings)
{
    internal const string DefaultConnection = "AzureWebJobsStorage";

    private readonly ConcurrentDictionary<string, QueueServiceClient> _services = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<Uri, Task> _created = new();
    private readonly ConcurrentDictionary<Uri, Action[]> _watchers = new();

    internal QueueSettings Settings => settings;

    /// <summary>The connection setting a binding names, as the Functions host resolves it.</summary>
    internal (string Setting, string ConnectionString) Resolve(string? connection)
    {
        var setting = string.IsNullOrEmpty(connection) ? DefaultConnection : connection;
        var value = configuration[setting] ?? configuration[$"AzureWebJobs{setting}"];
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"The Storage connection setting '{setting}' is missing. Set it in local.settings.json Values or as an "
                + "environment variable, e.g. \"UseDevelopmentStorage=true\" for Azurite.");
        }

        return (setting, value);
    }

    internal QueueServiceClient Service(string? connection)
        => _services.GetOrAdd(Resolve(connection).ConnectionString,
            cs => new QueueServiceClient(cs, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None }));

    /// <summary>The queue a binding names: <c>%setting%</c> resolved from configuration and lowercased, like the host.</summary>
    internal QueueClient Queue(string? connection, string queueName) => Service(connection).GetQueueClient(QueueName(queueName));

    internal string QueueName(string queueName) => SettingReferences.Resolve(configuration, queueName, "queue name").ToLowerInvariant();

    /// <summary>Creates the queue once per process, as the output binding and the listener do.</summary>
    internal Task EnsureCreatedAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        var created = _created.GetOrAdd(queue.Uri, _ => queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken));
        if (created.IsFaulted || created.IsCanceled)
        {
            _created.TryRemove(new KeyValuePair<Uri, Task>(queue.Uri, created));
        }

        return created;
    }

    /// <summary>Sends the messages of a queue output binding, encoded per host.json, creating the queue if missing.</summary>
    internal async Task SendAsync(FunctionBinding binding, IReadOnlyList<byte[]> messages, CancellationToken cancellationToken)
    {
        var queue = Queue(binding.Text("connection"), binding.Text("queueName")
            ?? throw new InvalidOperationException($"The queue output '{binding.Name}' names no queue."));
        await EnsureCreatedAsync(queue, cancellationToken).ConfigureAwait(false);
        foreach (var message in messages)
        {
            await queue.SendMessageAsync(Encode(message), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        Notify(queue.Uri);
    }

    /// <summary>
    /// Calls <paramref name="onEnqueued"/> whenever this host sends to <paramref name="queue"/>, as the Functions host's
    /// SharedQueueWatcher tells its queue listeners, so a listener polls at once instead of after its back-off.
    /// </summary>
    internal void WatchEnqueued(QueueClient queue, Action onEnqueued)
        => _watchers.AddOrUpdate(queue.Uri, [onEnqueued], (_, existing) => [.. existing, onEnqueued]);

    private void Notify(Uri queue)
    {
        if (_watchers.TryGetValue(queue, out var watchers))
        {
            foreach (var watcher in watchers)
            {
                watcher();
            }
        }
    }

    internal string Encode(byte[] body) => settings.Base64 ? Convert.ToBase64String(body) : Encoding.UTF8.GetString(body);
}

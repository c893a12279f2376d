using System.Collections.Concurrent;
using System.Text;

using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

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

    /// <summary>
    /// Sends the messages of a queue output binding, encoded per host.json, creating the queue if it is missing, as the
    /// output binding's QueueAsyncCollector does (Azure/azure-sdk-for-net Microsoft.Azure.WebJobs.Extensions.Storage.Queues
    /// QueuesExtensionConfigProvider.cs), and tells this host's listeners on that queue.
    /// </summary>
    internal async Task SendAsync(FunctionBinding binding, IReadOnlyList<byte[]> messages, CancellationToken cancellationToken)
    {
        var queue = Queue(binding.Text("connection"), binding.Text("queueName")
            ?? throw new InvalidOperationException($"The queue output '{binding.Name}' names no queue."));
        foreach (var message in messages)
        {
            await SendCreatingQueueAsync(queue, Encode(message), cancellationToken).ConfigureAwait(false);
        }

        Notify(queue);
    }

    /// <summary>
    /// Sends one message as stored (already encoded); a queue that does not exist is created and the send tried once
    /// more, as the queues extension's AddMessageAndCreateIfNotExistsAsync does for outputs and poison queues.
    /// </summary>
    internal static async Task SendCreatingQueueAsync(QueueClient queue, string text, CancellationToken cancellationToken)
    {
        try
        {
            await queue.SendMessageAsync(text, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && ex.ErrorCode == QueueErrorCode.QueueNotFound.ToString())
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await queue.SendMessageAsync(text, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Calls <paramref name="onEnqueued"/> whenever this host sends to <paramref name="queue"/>, as the Functions host's
    /// SharedQueueWatcher tells its queue listeners, so a listener polls at once instead of after its back-off.
    /// </summary>
    internal void WatchEnqueued(QueueClient queue, Action onEnqueued)
        => _watchers.AddOrUpdate(queue.Uri, [onEnqueued], (_, existing) => [.. existing, onEnqueued]);

    /// <summary>Wakes this host's listeners on <paramref name="queue"/>: this host has just put a message on it.</summary>
    internal void Notify(QueueClient queue)
    {
        if (_watchers.TryGetValue(queue.Uri, out var watchers))
        {
            foreach (var watcher in watchers)
            {
                watcher();
            }
        }
    }

    internal string Encode(byte[] body) => settings.Base64 ? Convert.ToBase64String(body) : Encoding.UTF8.GetString(body);
}

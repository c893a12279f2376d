using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

using Azure.Storage.Queues;

using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace FunctionsLocalHost;

/// <summary>
/// Storage queue clients by connection setting, and the sending side of <c>[QueueOutput]</c>. Clients never encode:
/// the host does (base64 by default), so that a message that is not base64 can be told apart and poisoned.
/// </summary>
internal sealed partial class QueueConnections(IConfiguration configuration, QueueSettings settings)
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

    internal string QueueName(string queueName)
        => SettingReference().Replace(queueName, m => configuration[m.Groups[1].Value]
            ?? throw new InvalidOperationException($"The queue name '{queueName}' refers to the setting '{m.Groups[1].Value}', which is missing."))
            .ToLowerInvariant();

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

    internal async Task SendAsync(QueueOutputAttribute binding, object value, CancellationToken cancellationToken)
    {
        var queue = Queue(binding.Connection, binding.QueueName);
        await EnsureCreatedAsync(queue, cancellationToken).ConfigureAwait(false);
        foreach (var message in FunctionOutputs.Messages(value))
        {
            await queue.SendMessageAsync(Encode(Serialize(message)), cancellationToken: cancellationToken).ConfigureAwait(false);
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

    /// <summary>A string is sent as is, bytes raw, anything else as JSON (System.Text.Json, web defaults).</summary>
    internal static byte[] Serialize(object message) => message switch
    {
        string text => Encoding.UTF8.GetBytes(text),
        byte[] bytes => bytes,
        BinaryData data => data.ToArray(),
        _ => JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), JsonSerializerOptions.Web),
    };

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();
}

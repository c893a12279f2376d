using Azure;
using Azure.Storage.Blobs;

using Microsoft.Extensions.Configuration;

namespace FunctionsLocalHost;

/// <summary>
/// The host's own blob container, <c>azure-webjobs-hosts</c> in the <c>AzureWebJobsStorage</c> account, where the real
/// host keeps its listener leases and timer status (azure-webjobs-sdk <c>HostContainerNames.Hosts</c>,
/// <c>IAzureBlobStorageProvider.TryCreateHostingBlobContainerClient</c>), with the app's host id.
/// </summary>
internal sealed class HostStorage
{
    private HostStorage(BlobContainerClient container, string hostId, string connectionString)
    {
        Container = container;
        HostId = hostId;
        ConnectionString = connectionString;
    }

    internal BlobContainerClient Container { get; }

    internal string HostId { get; }

    private string ConnectionString { get; }

    internal static HostStorage From(IConfiguration configuration, QueueConnections connections, string appDirectory)
    {
        var (_, connectionString) = connections.Resolve(QueueConnections.DefaultConnection);
        // A lease renewal that hangs for the SDK's default 100 s would outlive a 15 s lease.
        var options = new BlobClientOptions { Retry = { NetworkTimeout = TimeSpan.FromSeconds(10) } };
        var container = new BlobServiceClient(connectionString, options).GetBlobContainerClient(FunctionsLocalHost.HostId.HostsContainer);
        return new HostStorage(container, FunctionsLocalHost.HostId.For(configuration, appDirectory), connectionString);
    }

    /// <summary>Fails start-up with the fix when the account's blob service, which timer functions need, does not answer.</summary>
    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        // A few quick retries: a busy emulator's passing 5xx must not stop the start; an absent one fails in about a second.
        var service = new BlobServiceClient(ConnectionString, new BlobClientOptions
        {
            Retry = { MaxRetries = 3, Delay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(1), NetworkTimeout = TimeSpan.FromSeconds(10) },
        });
        try
        {
            await service.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
        {
            var hint = ex is RequestFailedException { Status: > 0 }
                ? $"It answered: {ex.Message.Split('\n')[0]} (Azurite needs --skipApiVersionCheck for newer SDKs.)"
                : "Timer functions keep their leases and schedule status in blobs, as in Azure: start Azurite with its blob service "
                  + "(npx azurite --skipApiVersionCheck, or npm run azurite), and give a connection string with BlobEndpoint when it names endpoints.";
            throw new InvalidOperationException(
                $"Cannot reach the Storage blob service at {service.Uri.GetLeftPart(UriPartial.Authority)} ({QueueConnections.DefaultConnection}). {hint}", ex);
        }
    }
}

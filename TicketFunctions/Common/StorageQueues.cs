using Azure.Core;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace TicketFunctions.Common;

/// <summary>
/// Queue clients for the app's own code, from the same <c>AzureWebJobsStorage</c> settings the Functions host reads
/// for its triggers and outputs: a connection string (Azurite, or an account key), or an identity-based connection
/// (<c>AzureWebJobsStorage__queueServiceUri</c> or <c>__accountName</c>, with <c>__credential</c> and
/// <c>__clientId</c>), as deployed by infra/main.bicep. One reading of the settings, so the app never reaches a
/// different account, or the same one differently, than the host does.
/// </summary>
public static class StorageQueues
{
    public const string ConnectionName = "AzureWebJobsStorage";

    public static QueueServiceClient CreateServiceClient(IConfiguration configuration, QueueClientOptions options)
    {
        var connection = StorageConnection.Resolve(configuration, ConnectionName);
        return connection.ConnectionString is { } connectionString
            ? new QueueServiceClient(connectionString, options)
            : new QueueServiceClient(connection.QueueServiceUri, connection.CreateCredential(), options);
    }

    public static QueueClient CreateQueueClient(IConfiguration configuration, string queueName, QueueClientOptions options) =>
        CreateServiceClient(configuration, options).GetQueueClient(queueName);
}

/// <summary>
/// A Storage connection as the Functions host resolves one by name: the setting itself when it holds a value (a
/// connection string), otherwise its <c>__queueServiceUri</c> child, otherwise its <c>__accountName</c> child, which
/// the host accepts for <c>AzureWebJobsStorage</c> only and expands to the public-cloud endpoint.
/// </summary>
public sealed record StorageConnection(string? ConnectionString, Uri? QueueServiceUri, string? Credential, string? ClientId, string? ManagedIdentityResourceId)
{
    public static StorageConnection Resolve(IConfiguration configuration, string name)
    {
        var section = configuration.GetSection(name);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new StorageConnection(section.Value, null, null, null, null);
        }

        var credential = NonEmpty(section["credential"]);
        var clientId = NonEmpty(section["clientId"]);
        var resourceId = NonEmpty(section["managedIdentityResourceId"]);
        if (NonEmpty(section["queueServiceUri"]) is { } serviceUri)
        {
            if (!Uri.TryCreate(serviceUri, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                throw new InvalidOperationException($"{name}__queueServiceUri must be an absolute https URI, not '{serviceUri}'.");
            }

            return new StorageConnection(null, uri, credential, clientId, resourceId);
        }

        if (NonEmpty(section["accountName"]) is { } accountName)
        {
            return new StorageConnection(null, new Uri($"https://{accountName}.queue.core.windows.net"), credential, clientId, resourceId);
        }

        throw new InvalidOperationException(
            $"{name} is not set: give a connection string, or {name}__queueServiceUri (or {name}__accountName) for an identity-based connection.");
    }

    /// <summary>
    /// <c>credential=managedidentity</c> means the app's managed identity, the user-assigned one named by
    /// <c>clientId</c> or <c>managedIdentityResourceId</c> when given (the host's rule); without it, as the host does
    /// on a developer's machine, whatever identity <see cref="DefaultAzureCredential"/> finds (Azure CLI, IDE, ...).
    /// </summary>
    public TokenCredential CreateCredential()
    {
        if (string.Equals(Credential, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            var identity = ClientId is { } clientId ? ManagedIdentityId.FromUserAssignedClientId(clientId)
                : ManagedIdentityResourceId is { } resourceId ? ManagedIdentityId.FromUserAssignedResourceId(new ResourceIdentifier(resourceId))
                : ManagedIdentityId.SystemAssigned;
            return new ManagedIdentityCredential(identity);
        }

        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ClientId });
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

using Azure.Identity;
using Microsoft.Extensions.Configuration;
using TicketFunctions.Common;

namespace TicketFunctions.Tests.Common;

/// <summary>The app reads AzureWebJobsStorage as the Functions host does: a connection string, or an identity-based connection.</summary>
public sealed class StorageQueuesTests
{
    [Fact]
    public void A_connection_string_is_used_as_it_is()
    {
        var connection = Resolve(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });

        Assert.Equal("UseDevelopmentStorage=true", connection.ConnectionString);
        Assert.Null(connection.QueueServiceUri);
    }

    [Fact]
    public void A_queue_service_uri_makes_an_identity_based_connection_with_the_settings_credential_and_client_id()
    {
        var connection = Resolve(new()
        {
            ["AzureWebJobsStorage:queueServiceUri"] = "https://sttickets.queue.core.windows.net/",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        });

        Assert.Null(connection.ConnectionString);
        Assert.Equal(new Uri("https://sttickets.queue.core.windows.net/"), connection.QueueServiceUri);
        Assert.Equal("managedidentity", connection.Credential);
        Assert.Equal("00000000-0000-0000-0000-000000000001", connection.ClientId);
        Assert.IsType<ManagedIdentityCredential>(connection.CreateCredential());
    }

    [Fact]
    public void An_account_name_alone_means_the_public_cloud_queue_endpoint()
    {
        var connection = Resolve(new() { ["AzureWebJobsStorage:accountName"] = "sttickets" });

        Assert.Equal(new Uri("https://sttickets.queue.core.windows.net"), connection.QueueServiceUri);
        // Without credential=managedidentity the host uses the developer's own identity; so does the app.
        Assert.IsType<DefaultAzureCredential>(connection.CreateCredential());
    }

    [Fact]
    public void The_queue_service_uri_wins_over_the_account_name_and_the_connection_string_over_both()
    {
        var identity = Resolve(new()
        {
            ["AzureWebJobsStorage:accountName"] = "other",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://sttickets.queue.core.chinacloudapi.cn",
        });
        Assert.Equal(new Uri("https://sttickets.queue.core.chinacloudapi.cn"), identity.QueueServiceUri);

        var connectionString = Resolve(new()
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://sttickets.queue.core.windows.net",
        });
        Assert.Equal("UseDevelopmentStorage=true", connectionString.ConnectionString);
    }

    [Fact]
    public void Settings_from_environment_variables_resolve_through_their_double_underscore()
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables(prefix: "TF_STORAGE_TEST_")
            .Build();
        Environment.SetEnvironmentVariable("TF_STORAGE_TEST_AzureWebJobsStorage__queueServiceUri", "https://stenv.queue.core.windows.net");
        try
        {
            configuration.Reload();
            Assert.Equal(new Uri("https://stenv.queue.core.windows.net"), StorageConnection.Resolve(configuration, "AzureWebJobsStorage").QueueServiceUri);
        }
        finally
        {
            Environment.SetEnvironmentVariable("TF_STORAGE_TEST_AzureWebJobsStorage__queueServiceUri", null);
        }
    }

    [Theory]
    [InlineData("http://sttickets.queue.core.windows.net")]
    [InlineData("sttickets.queue.core.windows.net")]
    public void A_queue_service_uri_that_is_not_absolute_https_is_refused_by_name(string uri)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Resolve(new() { ["AzureWebJobsStorage:queueServiceUri"] = uri }));

        Assert.Contains("AzureWebJobsStorage__queueServiceUri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_storage_setting_at_all_fails_with_what_to_set()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Resolve(new() { ["AzureWebJobsStorage:credential"] = "managedidentity" }));

        Assert.Contains("AzureWebJobsStorage__queueServiceUri", error.Message, StringComparison.Ordinal);
        Assert.Contains("connection string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_factory_builds_a_client_for_the_resolved_endpoint_without_calling_it()
    {
        var configuration = Configuration(new() { ["AzureWebJobsStorage:accountName"] = "sttickets", ["AzureWebJobsStorage:credential"] = "managedidentity" });

        var queue = StorageQueues.CreateQueueClient(configuration, "payments", new Azure.Storage.Queues.QueueClientOptions());

        Assert.Equal(new Uri("https://sttickets.queue.core.windows.net/payments"), queue.Uri);
        Assert.Equal("sttickets", queue.AccountName);
    }

    private static StorageConnection Resolve(Dictionary<string, string?> values) =>
        StorageConnection.Resolve(Configuration(values), "AzureWebJobsStorage");

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}

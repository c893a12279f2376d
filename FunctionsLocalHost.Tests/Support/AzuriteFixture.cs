namespace FunctionsLocalHost.Tests.Support;

/// <summary>
/// <see cref="AzuriteProcess"/> as an xunit fixture: a real Azurite (blob and queue services) on free ports, in memory, for a
/// test class or collection. Shared by this project and the app's tests (which link this file).
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string AccountName = AzuriteProcess.AccountName;
    public const string AccountKey = AzuriteProcess.AccountKey;

    private AzuriteProcess? _azurite;

    private AzuriteProcess Azurite => _azurite ?? throw new InvalidOperationException("Azurite is not started yet.");

    public int QueuePort => Azurite.QueuePort;

    public Uri QueueEndpoint => Azurite.QueueEndpoint;

    public Uri BlobEndpoint => Azurite.BlobEndpoint;

    /// <summary>The explicit devstore account connection string (UseDevelopmentStorage=true would mean ports 10000 and 10001).</summary>
    public string ConnectionString => Azurite.ConnectionString;

    public async Task InitializeAsync() => _azurite = await AzuriteProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

using System.Diagnostics;

using Azure.Storage.Queues;

using FunctionsLocalHost.Tests.Sample;

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FunctionsLocalHost.Tests.Support;

/// <summary>The sample function app on the local host, in process, on a free port, with queues of its own.</summary>
public sealed class SampleHost : IAsyncDisposable
{
    private readonly IHost _host;

    private SampleHost(IHost host, Uri baseAddress, string connectionString, IReadOnlyDictionary<string, string?> settings)
    {
        _host = host;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Queues = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        Settings = settings;
    }

    public HttpClient Http { get; }

    /// <summary>Raw access to the queues: messages as stored, not decoded.</summary>
    public QueueServiceClient Queues { get; }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public Probe Probe => _host.Services.GetRequiredService<Probe>();

    public QueueClient Queue(string setting) => Queues.GetQueueClient(Settings[setting]);

    public static Dictionary<string, string?> DefaultSettings(string connectionString)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        return new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["OrdersOutQueue"] = $"orders-{id}",
            ["OrdersInQueue"] = $"orders-{id}",
            ["FailingQueue"] = $"failing-{id}",
        };
    }

    public static async Task<SampleHost> StartAsync(AzuriteFixture azurite, Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = DefaultSettings(azurite.ConnectionString);
        configure?.Invoke(settings);
        var host = Build(settings);
        await host.StartAsync();
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new SampleHost(host, new Uri(address), azurite.ConnectionString, settings);
    }

    public static IHost Build(IDictionary<string, string?> settings, bool configureWebApplication = true)
    {
        var builder = LocalFunctionsApplication.CreateBuilder(["--port", "0"], typeof(SampleFunctions).Assembly);
        if (configureWebApplication)
        {
            builder.ConfigureFunctionsWebApplication();
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<Probe>();
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _host.StopAsync();
        if (_host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }
    }

    /// <summary>Waits for a condition with a deadline generous enough for a loaded machine.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"Still waiting after 30 s for {what}; last value: {value}");
            }

            await Task.Delay(50);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteTests : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

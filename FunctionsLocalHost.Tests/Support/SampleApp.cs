using System.Diagnostics;
using System.Text;

using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost.Tests.Support;

/// <summary>
/// The sample isolated worker app (SampleApp/, built with the real worker packages) running under the local host, on a
/// free port, with queues of its own on a shared Azurite. Tests watch it from outside: HTTP, queues, the host's log.
/// </summary>
public sealed class SampleApp : IAsyncDisposable
{
    private SampleApp(LocalFunctionsHost host, LogLines log, IReadOnlyDictionary<string, string?> settings, string connectionString)
    {
        Host = host;
        Log = log;
        Settings = settings;
        Http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Queues = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
    }

    /// <summary>The sample's build output, beside this test project's own (same configuration and framework).</summary>
    public static string Directory { get; } = FindDirectory();

    public LocalFunctionsHost Host { get; }

    public LogLines Log { get; }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public HttpClient Http { get; }

    /// <summary>Raw access to the queues: messages as stored, not decoded.</summary>
    public QueueServiceClient Queues { get; }

    /// <summary>The queue an app setting names, e.g. <c>OrdersQueue</c>.</summary>
    public QueueClient Queue(string setting) => Queues.GetQueueClient(Settings[setting]);

    public QueueClient Poison(string setting) => Queues.GetQueueClient($"{Settings[setting]}-poison");

    /// <summary>
    /// Every setting the sample needs, with queue names of its own (the settings named <c>...Queue</c>); the timer is off
    /// unless a test turns it on.
    /// </summary>
    public static Dictionary<string, string?> DefaultSettings(string connectionString)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        return new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["OrdersQueue"] = $"orders-{id}",
            ["SeenQueue"] = $"seen-{id}",
            ["FailingQueue"] = $"failing-{id}",
            ["SlowQueue"] = $"slow-{id}",
            ["DeadLetterQueue"] = $"dead-{id}-poison",
            ["TickQueue"] = $"tick-{id}",
            ["TickSchedule"] = "0 0 0 1 1 *",
            ["AzureWebJobs.Tick.Disabled"] = "true",
        };
    }

    /// <summary>
    /// Starts the sample under the host. Its queues (every <c>...Queue</c> setting) are created first, as a deployment's
    /// infrastructure creates an app's queues: the Functions host creates no trigger queue. <paramref name="createQueues"/>
    /// false leaves them missing; <paramref name="minimumLevel"/> lets the host's debug lines through.
    /// </summary>
    public static async Task<SampleApp> StartAsync(
        AzuriteFixture azurite,
        Action<Dictionary<string, string?>>? configure = null,
        string? appDirectory = null,
        bool readLocalSettingsFile = false,
        bool createQueues = true,
        LogLevel minimumLevel = LogLevel.Information)
    {
        var settings = DefaultSettings(azurite.ConnectionString);
        configure?.Invoke(settings);
        if (createQueues)
        {
            var queues = new QueueServiceClient(azurite.ConnectionString);
            foreach (var (_, name) in settings.Where(s => s.Key.EndsWith("Queue", StringComparison.Ordinal) && s.Value is not null))
            {
                await queues.GetQueueClient(name).CreateIfNotExistsAsync();
            }
        }

        var log = new LogLines();
        var host = await LocalFunctionsHost.StartAsync(Options(settings, log, appDirectory, readLocalSettingsFile, minimumLevel));
        return new SampleApp(host, log, settings, azurite.ConnectionString);
    }

    public static LocalHostOptions Options(
        IReadOnlyDictionary<string, string?> settings, LogLines log, string? appDirectory = null, bool readLocalSettingsFile = false, LogLevel minimumLevel = LogLevel.Information)
        => new()
        {
            AppDirectory = appDirectory ?? Directory,
            Port = 0,
            Settings = settings,
            ReadLocalSettingsFile = readLocalSettingsFile,
            Logging = logging => logging.SetMinimumLevel(minimumLevel).AddProvider(log),
        };

    /// <summary>Base64 of UTF-8 text, as the host and the worker's queue bindings encode messages.</summary>
    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static string FromBase64(string text) => Encoding.UTF8.GetString(Convert.FromBase64String(text));

    /// <summary>
    /// The messages on a queue as stored (still encoded), leaving them there; none for a queue that does not exist, as a
    /// poison queue does not until the first message moves there.
    /// </summary>
    public static async Task<IReadOnlyList<PeekedMessage>> PeekAsync(QueueClient queue)
        => (await queue.ExistsAsync()).Value ? (await queue.PeekMessagesAsync(32)).Value : [];

    /// <summary>Decoded texts of the messages on a queue, taking them off it.</summary>
    public static async Task<IReadOnlyList<string>> ReceiveAsync(QueueClient queue)
    {
        if (!await queue.ExistsAsync())
        {
            return [];
        }

        var messages = (await queue.ReceiveMessagesAsync(32)).Value;
        foreach (var message in messages)
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }

        return messages.Select(m => FromBase64(m.Body.ToString())).ToList();
    }

    /// <summary>Waits for a condition with a deadline generous enough for a loaded machine.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? within = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = within ?? TimeSpan.FromSeconds(30);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"Still waiting after {limit.TotalSeconds:0} s for {what}; last value: {value}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Collects what a queue-writing function reported until <paramref name="count"/> messages have come.</summary>
    public async Task<List<string>> CollectAsync(string setting, int count, TimeSpan? within = null)
    {
        var seen = new List<string>();
        await EventuallyAsync(
            async () =>
            {
                seen.AddRange(await ReceiveAsync(Queue(setting)));
                return seen.Count;
            },
            n => n >= count,
            $"{count} message(s) on {setting}",
            within);
        return seen;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }

    private static string FindDirectory()
    {
        // bin/<Configuration>/<tfm>/ of this project -> SampleApp/bin/<Configuration>/<tfm>/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var project = output.Parent.Parent!.Parent!.FullName;
        var directory = Path.Combine(project, "SampleApp", "bin", configuration, framework);
        return File.Exists(Path.Combine(directory, "worker.config.json"))
            ? directory
            : throw new InvalidOperationException($"The sample app is not built at {directory}: build FunctionsLocalHost.Tests (it builds SampleApp first).");
    }
}

/// <summary>Azurite and one sample app for the whole collection; tests that need other settings start their own.</summary>
public sealed class SampleAppFixture : IAsyncLifetime
{
    private SampleApp? _app;

    public AzuriteFixture Azurite { get; } = new();

    public SampleApp App => _app ?? throw new InvalidOperationException("The sample app is not started yet.");

    public async Task InitializeAsync()
    {
        await Azurite.InitializeAsync();
        _app = await SampleApp.StartAsync(Azurite);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await Azurite.DisposeAsync();
    }
}

/// <summary>
/// One collection: the tests share Azurite and the sample app, and running them one after another keeps a small
/// machine from starting many worker processes at once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SampleAppTests : ICollectionFixture<SampleAppFixture>
{
    public const string Name = "Sample app";
}

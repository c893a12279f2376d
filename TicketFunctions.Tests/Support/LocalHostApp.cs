using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FunctionsLocalHost;
using FunctionsLocalHost.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Tests.Support;

/// <summary>
/// The whole app as Azure runs it: the app's real worker process (its build output, <see cref="AppDirectory"/>) under
/// the local host, on a free port, with queues on a real Azurite (its own, or a shared <see cref="AzuriteFixture"/>;
/// the app's queues created first, as infra/ creates them in Azure) and a fresh database. Talk to it over HTTP. <see cref="Services"/> are the app's services in the test process over
/// the same database, for seeding and for checking what was written.
/// </summary>
public sealed class LocalHostApp : IAsyncDisposable
{
    private readonly LocalFunctionsHost _host;
    private readonly ServiceProvider _services;
    private readonly AzuriteFixture? _ownAzurite;
    private int _users;

    private LocalHostApp(LocalFunctionsHost host, ServiceProvider services, HostLog log, string directory, AzuriteFixture azurite, AzuriteFixture? ownAzurite)
    {
        Log = log;
        _host = host;
        _services = services;
        _ownAzurite = ownAzurite;
        Directory = directory;
        Azurite = azurite;
        BaseAddress = host.BaseAddress;
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    /// <summary>What the host and the worker logged (information and above).</summary>
    public HostLog Log { get; }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _services;

    public AzuriteFixture Azurite { get; }

    public string Directory { get; }

    public Db Db => Services.GetRequiredService<Db>();

    /// <summary>The worker process's id (a child of this test process).</summary>
    public int WorkerProcessId => _host.WorkerProcessId;

    /// <summary>The app's build output, as the test project's reference to it builds it (same configuration).</summary>
    public static string AppDirectory { get; } = FindAppDirectory();

    /// <summary>Starts Azurite of its own and the app; both stop on dispose.</summary>
    public static async Task<LocalHostApp> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        try
        {
            return await StartAsync(azurite, settings, ownAzurite: azurite);
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the app against a shared Azurite (for example an xunit class fixture).</summary>
    public static Task<LocalHostApp> StartAsync(AzuriteFixture azurite, IDictionary<string, string?>? settings = null)
        => StartAsync(azurite, settings, ownAzurite: null);

    private static async Task<LocalHostApp> StartAsync(AzuriteFixture azurite, IDictionary<string, string?>? settings, AzuriteFixture? ownAzurite)
    {
        var directory = settings is not null && settings.TryGetValue("Test:Directory", out var existing) && existing is not null
            ? existing
            : Path.Combine(Path.GetTempPath(), "ticketfunctions-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);

        var values = TestApp.DefaultSettings(directory);
        values["AzureWebJobsStorage"] = azurite.ConnectionString;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        await AppQueues.CreateAsync(values["AzureWebJobsStorage"]!);
        var log = new HostLog();
        var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
        {
            AppDirectory = AppDirectory,
            Port = 0,
            Settings = values,
            ReadLocalSettingsFile = false,
            // Kept for the tests to read rather than written to the test output.
            Logging = logging => logging.AddProvider(log),
        });

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment(directory));
        services.AddLogging();
        services.AddTicketFunctions(configuration);
        return new LocalHostApp(host, services.BuildServiceProvider(), log, directory, azurite, ownAzurite);
    }

    private static string FindAppDirectory()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testBin.Parent?.Name ?? "Debug";
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "TicketFunctions.sln")))
        {
            root = root.Parent;
        }

        var directory = root is null ? null : Path.Combine(root.FullName, "TicketFunctions", "bin", configuration, testBin.Name);
        return directory is not null && File.Exists(Path.Combine(directory, "functions.metadata"))
            ? directory
            : throw new InvalidOperationException(
                $"The app's build output ({directory ?? "TicketFunctions/bin/..."}) is missing: the test project's reference to TicketFunctions builds it; build TicketFunctions.Tests.");
    }

    public async Task<HttpResponseMessage> Send(HttpMethod method, string path, object? body = null, string? token = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = body is string text
                ? new StringContent(text, System.Text.Encoding.UTF8, "application/json")
                : JsonContent.Create(body, options: Json.Options);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        configure?.Invoke(request);
        return await Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> Get(string path, string? token = null) => Send(HttpMethod.Get, path, token: token);

    public Task<HttpResponseMessage> Post(string path, object? body, string? token = null) => Send(HttpMethod.Post, path, body, token);

    public async Task<(string Token, long UserId)> RegisterAndLogin(string? email = null, string password = "Password-123")
    {
        email ??= $"user{Interlocked.Increment(ref _users)}-{Guid.NewGuid():N}@example.com";
        using var registered = await Post("api/auth/register", new { email, password, fullName = "Test User" });
        Assert.Equal(System.Net.HttpStatusCode.Created, registered.StatusCode);
        return await Login(email, password);
    }

    public async Task<(string Token, long UserId)> Login(string email, string password)
    {
        using var response = await Post("api/auth/login", new { email, password });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (json.GetProperty("accessToken").GetString()!, json.GetProperty("user").GetProperty("id").GetInt64());
    }

    public Task<(string Token, long UserId)> LoginAsAdmin() => Login(TestApp.AdminEmail, TestApp.AdminPassword);

    /// <summary>Stops the host and its worker without deleting the database, as a restart test needs.</summary>
    public Task StopAsync() => _host.StopAsync();

    /// <summary>Kills the worker process at once (SIGKILL), as a crash would; the host then stops too.</summary>
    public void KillWorker() => _host.KillWorker();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await _host.DisposeAsync();
        }
        finally
        {
            await _services.DisposeAsync();
            if (_ownAzurite is not null)
            {
                await _ownAzurite.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }
}

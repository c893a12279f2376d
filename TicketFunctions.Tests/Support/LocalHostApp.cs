using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FunctionsLocalHost;
using FunctionsLocalHost.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TicketFunctions.Auth;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Tests.Support;

/// <summary>
/// The whole app on the local host, in process, the way Program.cs runs it: Kestrel on a free port, queues on a
/// real Azurite (its own, or a shared <see cref="AzuriteFixture"/>), a fresh SQLite file. Talk to it over HTTP.
/// </summary>
public sealed class LocalHostApp : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly AzuriteFixture? _ownAzurite;
    private int _users;

    private LocalHostApp(IHost host, Uri baseAddress, string directory, AzuriteFixture azurite, AzuriteFixture? ownAzurite)
    {
        _host = host;
        _ownAzurite = ownAzurite;
        Directory = directory;
        Azurite = azurite;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _host.Services;

    public AzuriteFixture Azurite { get; }

    public string Directory { get; }

    public Db Db => Services.GetRequiredService<Db>();

    /// <summary>Starts Azurite of its own and the app; both stop on dispose.</summary>
    public static async Task<LocalHostApp> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        try
        {
            return await StartAsync(azurite, settings, configure, ownAzurite: azurite);
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the app against a shared Azurite (for example an xunit class fixture).</summary>
    public static Task<LocalHostApp> StartAsync(AzuriteFixture azurite, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
        => StartAsync(azurite, settings, configure, ownAzurite: null);

    private static async Task<LocalHostApp> StartAsync(AzuriteFixture azurite, IDictionary<string, string?>? settings, Action<IServiceCollection>? configure, AzuriteFixture? ownAzurite)
    {
        var directory = settings is not null && settings.TryGetValue("Test:Directory", out var existing) && existing is not null
            ? existing
            : Path.Combine(Path.GetTempPath(), "ticketfunctions-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);

        var builder = LocalFunctionsApplication.CreateBuilder(["--port", "0"], typeof(AuthFunctions).Assembly);
        builder.ConfigureFunctionsWebApplication();
        var values = TestApp.DefaultSettings(directory);
        values["AzureWebJobsStorage"] = azurite.ConnectionString;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddTicketFunctions(builder.Configuration);
        configure?.Invoke(builder.Services);

        var host = builder.Build();
        await host.Services.InitializeDatabaseAsync();
        await host.StartAsync();
        var address = host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new LocalHostApp(host, new Uri(address), directory, azurite, ownAzurite);
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

    /// <summary>Stops the host without deleting its database, as a restart test needs.</summary>
    public async Task StopAsync()
    {
        await _host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await _host.StopAsync();
        }
        finally
        {
            if (_host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                _host.Dispose();
            }

            if (_ownAzurite is not null)
            {
                await _ownAzurite.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }
}

using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using TicketFunctions.Auth;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Tests.Support;

/// <summary>
/// The app's real services over a fresh SQLite file (through the real migrations), a fake clock, and verbs that
/// call the function classes directly with real HttpRequest objects. One per test; dispose it at the end.
/// </summary>
public sealed partial class TestApp : IAsyncDisposable
{
    public const string SigningKey = "test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    public const string AdminEmail = "admin@example.com";
    public const string AdminPassword = "Admin-Password-1";

    /// <summary>
    /// PBKDF2 iterations for the in-process apps (a Development setting): hashing at production's 210,000 dominated
    /// the suite's time. The hosts of the security suite keep the production default, which it asserts.
    /// </summary>
    public const int PasswordIterations = 1_000;

    private readonly ServiceProvider _services;

    private TestApp(string directory, ServiceProvider services, FakeTimeProvider clock)
    {
        Directory = directory;
        _services = services;
        Clock = clock;
    }

    public string Directory { get; }

    public FakeTimeProvider Clock { get; }

    public IServiceProvider Services => _services;

    public Db Db => Get<Db>();

    /// <summary>A new app over a new database; <paramref name="settings"/> override the test defaults.</summary>
    public static async Task<TestApp> StartAsync(
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "ticketfunctions-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(DefaultSettings(directory))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Passwords:Iterations"] = PasswordIterations.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();

        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment(directory));
        services.AddLogging();
        services.AddMvcCore();
        services.AddTicketFunctions(configuration);
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
        configure?.Invoke(services);

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await provider.InitializeDatabaseAsync();
        return new TestApp(directory, provider, clock);
    }

    /// <summary>
    /// The store this test run uses: SQLite, or PostgreSQL when the environment says TEST_DATABASE_PROVIDER=postgres
    /// (npm test runs the suite once for each).
    /// </summary>
    public static DbProvider Provider { get; } =
        string.Equals(Environment.GetEnvironmentVariable("TEST_DATABASE_PROVIDER"), "postgres", StringComparison.OrdinalIgnoreCase)
            ? DbProvider.Postgres
            : DbProvider.Sqlite;

    /// <summary>The test settings for an app whose files live in <paramref name="directory"/>, its own database included.</summary>
    public static Dictionary<string, string?> DefaultSettings(string directory)
    {
        var settings = Provider == DbProvider.Postgres
            ? new Dictionary<string, string?>
            {
                ["Database:Provider"] = "postgres",
                ["Database:ConnectionString"] = PostgresServer.Instance.DatabaseFor(directory),
            }
            : new Dictionary<string, string?> { ["Database:Path"] = Path.Combine(directory, "test.db") };
        foreach (var (key, value) in CommonSettings)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static readonly Dictionary<string, string?> CommonSettings = new()
    {
        ["Jwt:SigningKey"] = SigningKey,
        ["Jwt:Issuer"] = "TicketFunctions",
        ["Jwt:Audience"] = "TicketFunctions",
        ["Admin:Email"] = AdminEmail,
        ["Admin:Password"] = AdminPassword,
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        // The timers' schedules are app settings the host resolves (as in local.settings.json.example).
        ["Payments:ResendSchedule"] = "0 * * * * *",
        ["Refunds:SweepSchedule"] = "30 * * * * *",
        ["Maintenance:Schedule"] = "0 15 * * * *",
    };

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>A function class as the host makes it: from DI, new for each invocation.</summary>
    public T Function<T>()
        where T : class => ActivatorUtilities.CreateInstance<T>(_services);

    /// <summary>
    /// A real HttpRequest on a DefaultHttpContext, with an optional JSON body and bearer token, as the authorization
    /// middleware hands it to a function: a valid token's caller is on it (<see cref="CallerExtensions.Caller"/>).
    /// To see what the middleware answers for a function, call it through <see cref="Invoke{T}"/>.
    /// </summary>
    public HttpRequest Request(string method, string path, object? body = null, string? token = null, string? query = null)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        var request = context.Request;
        request.Method = method.ToUpperInvariant();
        request.Scheme = "http";
        request.Host = new HostString("localhost", 7071);
        request.Path = path;
        if (query is not null)
        {
            request.QueryString = new QueryString(query.StartsWith('?') ? query : "?" + query);
        }

        if (token is not null)
        {
            request.Headers.Authorization = "Bearer " + token;
            if (CallerOf(token) is { } caller)
            {
                context.SetCaller(caller);
            }
        }

        if (body is not null)
        {
            var bytes = body switch
            {
                string text => Encoding.UTF8.GetBytes(text),
                byte[] raw => raw,
                _ => JsonSerializer.SerializeToUtf8Bytes(body, Json.Options),
            };
            request.Body = new MemoryStream(bytes);
            request.ContentLength = bytes.Length;
            request.ContentType = "application/json; charset=utf-8";
        }

        context.Response.Body = new MemoryStream();
        return request;
    }

    /// <summary>
    /// The caller a token of ours names (its sub, email and role claims), as the middleware puts it on the request once
    /// it has validated the token; null for anything that is not a readable token. Reading, not validating, keeps the
    /// request synchronous; the middleware's own checks run in <see cref="Invoke{T}"/>.
    /// </summary>
    private static Caller? CallerOf(string token)
    {
        try
        {
            var jwt = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token);
            return jwt.TryGetPayloadValue<string>("sub", out var sub) && long.TryParse(sub, System.Globalization.CultureInfo.InvariantCulture, out var id)
                && jwt.TryGetPayloadValue<string>("email", out var email) && jwt.TryGetPayloadValue<string>("role", out var role)
                ? new Caller(id, email, role)
                : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// A function called as the worker calls it: the authorization middleware's check of its declared
    /// <see cref="AccessAttribute"/> first (whose 401 or 403 is the answer), then the function.
    /// </summary>
    public async Task<TestResponse> Invoke<T>(string method, HttpRequest request, Func<T, HttpRequest, Task<IActionResult>> call)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(call);
        request.HttpContext.Items.Clear();
        var access = AuthorizationMiddleware.AccessOf($"{typeof(T).FullName}.{method}");
        var denied = await Get<Authenticator>().AuthorizeAsync(request.HttpContext, access);
        return denied is not null ? await Send(denied) : await Send(await call(Function<T>(), request));
    }

    /// <summary>Writes an action result the way the host does and reads back what a client would receive.</summary>
    public async Task<TestResponse> Send(IActionResult result)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Response.Body = new MemoryStream();
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        return new TestResponse(context.Response.StatusCode, context.Response.ContentType, context.Response.Headers, text);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow CI disk is left to the temp folder's own clean-up.
        }
    }
}

/// <summary>What a client receives: status, content type, headers and the body as text and JSON.</summary>
public sealed record TestResponse(int Status, string? ContentType, IHeaderDictionary Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public bool IsProblem => ContentType?.StartsWith(Problems.ContentType, StringComparison.Ordinal) == true;

    public override string ToString() => $"{Status} {ContentType} {Body}";
}

using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketFunctions.Data;
using TicketFunctions.OpenApi;
using TicketFunctions.Tests.Support;
using Xunit.Abstractions;

namespace TicketFunctions.Tests.OpenApi;

/// <summary>Swagger UI in headless Chromium (Debian's chromium, driven by playwright-core), against the app over HTTP.</summary>
public sealed class SwaggerUiBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Swagger_UI_shows_every_tag_authorizes_and_runs_me_without_leaving_this_machine()
    {
        Assert.True(File.Exists("/usr/bin/chromium"), "Chromium is missing: apt-get install -y chromium (npm test does it as root).");
        await using var host = await BrowserHost.StartAsync();
        var email = $"browser-{Guid.NewGuid():N}@example.com";
        var register = await host.Client.PostAsync(
            "/api/auth/register",
            new StringContent($$"""{"email":"{{email}}","password":"Password-123","fullName":"Browser User"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(201, (int)register.StatusCode);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "screenshots", "swagger-ui.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        var script = Path.Combine(Repository.Root, "TicketFunctions.Tests", "OpenApi", "browser", "swagger-ui.mjs");
        var (code, text) = await Repository.RunAsync(
            "node", [script, host.Client.BaseAddress!.ToString().TrimEnd('/'), screenshot, email, "Password-123"], Repository.Root, timeout: TimeSpan.FromMinutes(3));
        output.WriteLine(text);
        output.WriteLine("screenshot: " + screenshot);
        Console.WriteLine("Swagger UI screenshot: " + screenshot);

        Assert.True(code == 0, text);
        Assert.Contains("\"ok\":true", text, StringComparison.Ordinal);
        Assert.True(File.Exists(screenshot));
    }
}

/// <summary>
/// Serves the app's HTTP functions on Kestrel at 127.0.0.1 on a free port, for the browser test, until the local
/// host's LocalHostApp fixture is on main (then this goes in favour of it).
/// </summary>
internal sealed class BrowserHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private BrowserHost(WebApplication app, string directory, HttpClient client)
    {
        _app = app;
        _directory = directory;
        Client = client;
    }

    public HttpClient Client { get; }

    public static async Task<BrowserHost> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ticketfunctions-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(TestApp.DefaultSettings(directory));
        builder.Services.AddMvcCore();
        builder.Services.AddTicketFunctions(builder.Configuration);
        var app = builder.Build();
        await app.Services.InitializeDatabaseAsync();

        foreach (var function in HttpFunction.FindAll(typeof(TicketFunctionsServices).Assembly))
        {
            app.MapMethods("/api/" + function.Route, function.HttpMethods.Select(m => m.ToUpperInvariant()).ToArray(), context => Invoke(function.Method, context));
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BrowserHost(app, directory, new HttpClient { BaseAddress = new Uri(address) });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task Invoke(MethodInfo method, HttpContext context)
    {
        var target = method.IsStatic ? null : ActivatorUtilities.CreateInstance(context.RequestServices, method.DeclaringType!);
        var arguments = method.GetParameters().Select(p => p.ParameterType == typeof(HttpRequest)
            ? context.Request
            : p.ParameterType == typeof(CancellationToken)
                ? context.RequestAborted
                : Convert.ChangeType(context.Request.RouteValues[p.Name!], p.ParameterType, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var returned = method.Invoke(target, arguments);
        var result = returned is Task task ? await AwaitResult(task) : (IActionResult)returned!;
        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }

    private static async Task<IActionResult> AwaitResult(Task task)
    {
        await task;
        return (IActionResult)task.GetType().GetProperty("Result")!.GetValue(task)!;
    }
}

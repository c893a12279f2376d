using System.Globalization;
using System.Reflection;
using System.Text;

using Azure;
using Azure.Storage.Queues;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>
/// The local stand-in for the Functions host and worker: Kestrel serves the HTTP triggers, background services drive
/// the queue triggers from Azure Storage (Azurite), configuration comes from host.json, local.settings.json and the
/// environment as with <c>func start</c>.
/// </summary>
internal static class LocalFunctionsHost
{
    internal const int DefaultPort = 7071;

    internal static WebApplicationBuilder CreateWebApplicationBuilder(string[] args)
    {
        var port = Port(args);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // Core Tools runs the worker as Development unless told otherwise.
            EnvironmentName = Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_ENVIRONMENT")
                ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
                ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
                ?? Environments.Development,
        });
        LocalSettings.AddTo(builder.Configuration, builder.Environment.ContentRootPath, AppContext.BaseDirectory);

        // Port 0 asks for a free port, which Kestrel cannot give for "localhost" (two interfaces).
        builder.WebHost.UseUrls(port == 0 ? "http://127.0.0.1:0" : $"http://localhost:{port}");
        return builder;
    }

    internal static IHost Build(WebApplicationBuilder builder, Assembly functionsAssembly, bool webApplicationConfigured)
    {
        var functions = FunctionCatalog.Discover(functionsAssembly);
        var settings = HostSettings.From(builder.Configuration);
        Validate(functions, webApplicationConfigured);
        var enabled = functions.Where(f => !IsDisabled(builder.Configuration, f.Name)).ToList();

        builder.Services.AddMvcCore();
        builder.Services.AddSingleton(sp => new QueueConnections(sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>(), settings.Queues));
        foreach (var function in enabled.Where(f => f.QueueTrigger is not null))
        {
            builder.Services.AddSingleton<IHostedService>(sp => new QueueFunctionListener(function, sp));
        }

        var app = builder.Build();
        HttpFunctionEndpoints.Map(app, enabled.Where(f => f.HttpTrigger is not null), settings.RoutePrefix);
        return new Runner(app, functions, enabled, settings);
    }

    /// <summary>
    /// The app setting <c>AzureWebJobs.&lt;FunctionName&gt;.Disabled</c> set to true (or 1) turns a function off, as in
    /// the Functions host: its trigger is never listened to (an HTTP one answers 404).
    /// </summary>
    internal static bool IsDisabled(Microsoft.Extensions.Configuration.IConfiguration configuration, string functionName)
    {
        var value = configuration[$"AzureWebJobs.{functionName}.Disabled"] ?? configuration[$"AzureWebJobs:{functionName}:Disabled"];
        return value is not null && (value.Trim() == "1" || bool.TryParse(value, out var disabled) && disabled);
    }

    /// <summary><c>--port N</c> (or <c>-p N</c>), as with <c>func start</c>.</summary>
    internal static int Port(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            string? value = null;
            if ((args[i] is "--port" or "-p") && i + 1 < args.Length)
            {
                value = args[i + 1];
            }
            else if (args[i].StartsWith("--port=", StringComparison.Ordinal))
            {
                value = args[i]["--port=".Length..];
            }

            if (value is not null)
            {
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
                    ? port
                    : throw new InvalidOperationException($"--port '{value}' is not a port number (0 to 65535; 0 picks a free port).");
            }
        }

        return DefaultPort;
    }

    private static void Validate(IReadOnlyList<FunctionDefinition> functions, bool webApplicationConfigured)
    {
        if (!webApplicationConfigured && functions.FirstOrDefault(f => f.HttpTrigger is not null) is { } http)
        {
            throw new InvalidOperationException(
                $"Function '{http.Name}' binds HttpRequest, which needs ASP.NET Core integration: call "
                + "builder.ConfigureFunctionsWebApplication() in Program.cs before builder.Build().");
        }

        foreach (var function in functions.Where(f => f.QueueTrigger is not null))
        {
            var other = function.Method.GetParameters()
                .FirstOrDefault(p => p != function.TriggerParameter && p.ParameterType != typeof(CancellationToken));
            if (other is not null)
            {
                throw new InvalidOperationException(
                    $"Function '{function.Name}' ({FunctionCatalog.Where(function)}): the local host cannot bind parameter '{other.Name}'; "
                    + "a queue function takes its [QueueTrigger] parameter and optionally a CancellationToken.");
            }
        }
    }

    /// <summary>The built host: checks the Storage connection and the port with messages that say the fix.</summary>
    private sealed class Runner(WebApplication app, IReadOnlyList<FunctionDefinition> functions, IReadOnlyList<FunctionDefinition> enabled, HostSettings settings)
        : IHost, IAsyncDisposable
    {
        public IServiceProvider Services => app.Services;

        public async Task StartAsync(CancellationToken cancellationToken = default)
        {
            await CheckStorageAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (ex.InnerException is AddressInUseException)
            {
                throw new InvalidOperationException(
                    $"{ex.Message} Another process (perhaps another func start or local host) uses the port: stop it, or choose another with --port N.", ex);
            }

            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Host.Startup");
            if (logger.IsEnabled(LogLevel.Information))
            {
                var list = FunctionList();
                HostLog.Functions(logger, list);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken = default) => app.StopAsync(cancellationToken);

        public void Dispose() => ((IDisposable)app).Dispose();

        public ValueTask DisposeAsync() => app.DisposeAsync();

        private async Task CheckStorageAsync(CancellationToken cancellationToken)
        {
            var connections = app.Services.GetRequiredService<QueueConnections>();
            var used = functions.Where(f => f.QueueTrigger is not null).Select(f => f.QueueTrigger!.Connection)
                .Concat(functions.SelectMany(f => f.QueueOutputs).Select(o => o.Connection))
                .Select(connections.Resolve)
                .DistinctBy(c => c.ConnectionString);
            foreach (var (setting, connectionString) in used)
            {
                var options = new QueueClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(10) } };
                var service = new QueueServiceClient(connectionString, options);
                try
                {
                    await service.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
                {
                    var hint = ex is RequestFailedException { Status: > 0 }
                        ? $"It answered: {ex.Message.Split('\n')[0]} (Azurite needs --skipApiVersionCheck for newer SDKs.)"
                        : "Start Azurite: npx azurite --skipApiVersionCheck (or npm run azurite), or point the setting at a reachable account.";
                    throw new InvalidOperationException(
                        $"Cannot reach the Storage queue service at {service.Uri.GetLeftPart(UriPartial.Authority)} ({setting}). {hint}", ex);
                }
            }
        }

        private string FunctionList()
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? $"http://localhost:{DefaultPort}";
            var text = new StringBuilder("Functions:").AppendLine().AppendLine();
            foreach (var function in functions.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                if (!enabled.Contains(function))
                {
                    text.Append(CultureInfo.InvariantCulture, $"\t{function.Name}: disabled (AzureWebJobs.{function.Name}.Disabled)");
                }
                else if (function.HttpTrigger is not null)
                {
                    var methods = HttpFunctionEndpoints.Methods(function)
                        ?? [HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete, HttpMethods.Head, HttpMethods.Patch, HttpMethods.Put, HttpMethods.Options, HttpMethods.Trace];
                    text.Append(CultureInfo.InvariantCulture,
                        $"\t{function.Name}: [{string.Join(',', methods)}] {address.TrimEnd('/')}/{HttpFunctionEndpoints.Pattern(function, settings.RoutePrefix)}");
                }
                else
                {
                    text.Append(CultureInfo.InvariantCulture, $"\t{function.Name}: queueTrigger");
                }

                text.AppendLine().AppendLine();
            }

            return text.ToString().TrimEnd();
        }
    }
}

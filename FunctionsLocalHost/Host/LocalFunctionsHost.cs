using System.Globalization;
using System.Net;
using System.Text;

using Azure;
using Azure.Storage.Queues;

using FunctionsLocalHost.Rpc;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

using Yarp.ReverseProxy.Forwarder;

namespace FunctionsLocalHost;

/// <summary>How to run a function app on the local host.</summary>
public sealed class LocalHostOptions
{
    /// <summary>The app's build output folder: the one holding worker.config.json, functions.metadata and host.json.</summary>
    public required string AppDirectory { get; init; }

    /// <summary>The HTTP port, 7071 by default as with <c>func start</c>; 0 picks a free one on 127.0.0.1.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>App settings that win over local.settings.json and the environment (for scripts and tests).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// Whether local.settings.json (in the app folder, else the current folder) is read, as <c>func start</c> does;
    /// tests that give every setting themselves turn it off so that a developer's file cannot leak in.
    /// </summary>
    public bool ReadLocalSettingsFile { get; init; } = true;

    /// <summary>Where the host and the worker log; the console when not given.</summary>
    public Action<ILoggingBuilder>? Logging { get; init; }

    /// <summary>How long the worker may take to connect and load its functions.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public const int DefaultPort = 7071;
}

/// <summary>
/// A Functions host for one .NET isolated worker app, without Core Tools: a gRPC server for the worker's event stream,
/// the worker as a child process, and the triggers the real host would run for it (HTTP through the worker's ASP.NET
/// Core integration, Storage queues, timers). <see cref="StartAsync"/> returns once every function is loaded and
/// listening, as <c>func start</c> does when it prints the function list.
/// </summary>
public sealed class LocalFunctionsHost : IAsyncDisposable
{
    private static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(10);

    private readonly ILoggerFactory _loggers;
    private readonly WebApplication _rpc;
    private readonly WorkerProcess _worker;
    private readonly WorkerChannel _channel;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _http;
    private int _stopping;

    private LocalFunctionsHost(ILoggerFactory loggers, WebApplication rpc, WorkerProcess worker, WorkerChannel channel)
    {
        _loggers = loggers;
        _rpc = rpc;
        _worker = worker;
        _channel = channel;
    }

    /// <summary>Where the HTTP functions answer, e.g. http://127.0.0.1:7071/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public int WorkerProcessId => _worker.Id;

    /// <summary>The functions the worker reported, and whether each is enabled.</summary>
    public IReadOnlyList<(string Name, string Trigger, bool Enabled)> Functions { get; private set; } = [];

    /// <summary>Completes when the host has stopped, by <see cref="StopAsync"/> or because its worker exited.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>The worker's exit code once it has exited (0 after a clean stop).</summary>
    public int? WorkerExitCode => _worker.Exited.IsCompletedSuccessfully ? _worker.Exited.Result : null;

    public static async Task<LocalFunctionsHost> StartAsync(LocalHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var appDirectory = Path.GetFullPath(options.AppDirectory);
        var settings = LocalSettings.Load(options.Settings, options.ReadLocalSettingsFile, appDirectory, Directory.GetCurrentDirectory());
        var configuration = settings.Configuration;
        var hostSettings = HostSettings.From(configuration);
        CheckWorkerRuntime(configuration);

        var loggers = LoggerFactory.Create(logging =>
        {
            logging.AddConfiguration(configuration.GetSection("Logging"));
            if (options.Logging is null)
            {
                logging.AddSimpleConsole(console =>
                {
                    console.SingleLine = true;
                    console.UseUtcTimestamp = true;
                    console.TimestampFormat = "[yyyy-MM-ddTHH:mm:ss.fffZ] ";
                });
            }
            else
            {
                options.Logging(logging);
            }
        });

        var channels = new WorkerChannels();
        var rpc = await StartRpcServerAsync(channels, loggers, EnvironmentName(configuration), cancellationToken).ConfigureAwait(false);
        var workerId = Guid.NewGuid().ToString();
        var channel = new WorkerChannel(workerId, loggers);
        channels.Add(channel);
        WorkerProcess worker;
        try
        {
            worker = WorkerProcess.Start(appDirectory, RpcAddress(rpc), workerId, settings.WorkerEnvironment, loggers);
        }
        catch
        {
            await rpc.DisposeAsync().ConfigureAwait(false);
            loggers.Dispose();
            throw;
        }

        var host = new LocalFunctionsHost(loggers, rpc, worker, channel);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.StartTimeout);
            await host.InitializeAsync(appDirectory, configuration, hostSettings, options.Port, timeout.Token).ConfigureAwait(false);
            return host;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"The worker did not connect and load its functions within {options.StartTimeout.TotalSeconds:0} s. Its last output:{Environment.NewLine}{worker.RecentOutput}");
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops taking requests and messages, lets running invocations end, then stops the worker.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 1)
        {
            await Stopped.ConfigureAwait(false);
            return;
        }

        try
        {
            if (_http is not null)
            {
                using var timeout = new CancellationTokenSource(StopGracePeriod);
                await _http.StopAsync(timeout.Token).ConfigureAwait(false);
            }

            _channel.Terminate(StopGracePeriod);
            await _worker.StopAsync(StopGracePeriod).ConfigureAwait(false);
            await _rpc.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    /// <summary>Kills the worker process and its children at once (SIGKILL), as a crash would.</summary>
    public void KillWorker() => _worker.Kill();

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_http is not null)
        {
            await _http.DisposeAsync().ConfigureAwait(false);
        }

        await _rpc.DisposeAsync().ConfigureAwait(false);
        _worker.Dispose();
        _loggers.Dispose();
    }

    private async Task InitializeAsync(string appDirectory, IConfiguration configuration, HostSettings hostSettings, int port, CancellationToken cancellationToken)
    {
        var logger = _loggers.CreateLogger("Host.Startup");
        await UntilWorkerAnswers(_channel.Connected, cancellationToken).ConfigureAwait(false);

        var init = await UntilWorkerAnswers(_channel.InitializeAsync(
            new WorkerInitRequest { HostVersion = HostVersion, FunctionAppDirectory = appDirectory, WorkerDirectory = appDirectory },
            cancellationToken), cancellationToken).ConfigureAwait(false);
        Ensure(init.Result, "initialize");

        var metadata = await UntilWorkerAnswers(_channel.GetFunctionMetadataAsync(appDirectory, cancellationToken), cancellationToken).ConfigureAwait(false);
        Ensure(metadata.Result, "index its functions");
        if (metadata.UseDefaultMetadataIndexing)
        {
            throw new InvalidOperationException("The worker asks the host to index its functions from function.json files, which this host does not do.");
        }

        var functions = metadata.FunctionMetadataResults.Select(HostedFunction.From).ToList();
        // The real host serves the rest and leaves these in error; a local run that did so would pass while the app
        // lacks those routes in Azure, so the start stops on exactly the real host's conditions, in its words.
        if (HttpFunctionValidation.Errors(functions) is { Count: > 0 } errors)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, errors.Select(e => $"The '{e.Function}' function is in error: {e.Message}")));
        }

        var enabled = functions.Where(f => !IsDisabled(configuration, f.Name)).ToList();
        // The real host loads disabled functions too, after the enabled ones (GrpcWorkerChannel.SendFunctionLoadRequests:
        // they stay invocable through the admin API); only their triggers are not listened to.
        var loads = await UntilWorkerAnswers(
            Task.WhenAll(functions.OrderBy(f => !enabled.Contains(f)).Select(f => _channel.LoadAsync(f.LoadRequest(), cancellationToken))),
            cancellationToken).ConfigureAwait(false);
        var failed = loads.Where(l => l.Result?.Status != StatusResult.Types.Status.Success).ToList();
        if (failed.Count > 0)
        {
            var names = failed.Select(l => $"'{functions.First(f => f.FunctionId == l.FunctionId).Name}': {l.Result?.Exception?.Message}");
            throw new InvalidOperationException($"The worker could not load {failed.Count} function(s): {string.Join("; ", names)}");
        }

        Functions = functions.Select(f => (f.Name, f.Trigger.Type, enabled.Contains(f))).ToList();
        var workerUri = init.Capabilities.TryGetValue("HttpUri", out var uri) && Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed : null;
        if (workerUri is null && enabled.FirstOrDefault(f => f.IsHttp) is { } http)
        {
            throw new InvalidOperationException(
                $"Function '{http.Name}' has an HTTP trigger, but the worker does not serve HTTP (it reported no HttpUri): "
                + "this host runs HTTP functions through the ASP.NET Core integration; call ConfigureFunctionsWebApplication() in Program.cs.");
        }

        _http = BuildHttpHost(functions, enabled, configuration, hostSettings, workerUri, port);
        await CheckStorageAsync(_http.Services.GetRequiredService<QueueConnections>(), enabled, cancellationToken).ConfigureAwait(false);
        try
        {
            await _http.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException)
        {
            throw new InvalidOperationException(
                $"{ex.Message} Another process (perhaps another func start or local host) uses the port: stop it, or choose another with --port N.", ex);
        }

        var address = _http.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        if (logger.IsEnabled(LogLevel.Information))
        {
            var list = FunctionList(functions, enabled, hostSettings.RoutePrefix);
            HostLog.Functions(logger, list);
        }

        _ = WatchWorkerAsync();
    }

    /// <summary>A worker that exits while the host runs takes the host down with it, saying so.</summary>
    private async Task WatchWorkerAsync()
    {
        var code = await _worker.Exited.ConfigureAwait(false);
        if (Volatile.Read(ref _stopping) == 0)
        {
            // A worker stopped by the same Ctrl+C as the host exits cleanly; any other exit is a crash.
            if (code != 0)
            {
                var logger = _loggers.CreateLogger("Host.Worker");
                var output = _worker.RecentOutput;
                HostLog.WorkerExited(logger, code, output);
            }

            await StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a worker answer, or says why it will not come: the worker exited, with its last output.</summary>
    private async Task<T> UntilWorkerAnswers<T>(Task<T> answer, CancellationToken cancellationToken)
    {
        await UntilWorkerAnswers((Task)answer, cancellationToken).ConfigureAwait(false);
        return await answer.ConfigureAwait(false);
    }

    private async Task UntilWorkerAnswers(Task answer, CancellationToken cancellationToken)
    {
        var cancelled = Task.Delay(Timeout.Infinite, cancellationToken);
        var first = await Task.WhenAny(answer, _worker.Exited, cancelled).ConfigureAwait(false);
        if (first == _worker.Exited && !answer.IsCompleted)
        {
            throw new InvalidOperationException(
                $"The worker process exited with code {_worker.Exited.Result} while the host was starting. Its output:{Environment.NewLine}{_worker.RecentOutput}");
        }

        if (first == cancelled)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        await answer.ConfigureAwait(false);
    }

    /// <summary>
    /// The environment the host runs in, the same name the worker gets (see <see cref="WorkerProcess"/>):
    /// AZURE_FUNCTIONS_ENVIRONMENT, Development when unset, as under Core Tools.
    /// </summary>
    internal static string EnvironmentName(IConfiguration configuration)
        => configuration["AZURE_FUNCTIONS_ENVIRONMENT"] is { Length: > 0 } name ? name : "Development";

    private WebApplication BuildHttpHost(IReadOnlyList<HostedFunction> functions, IReadOnlyList<HostedFunction> enabled, IConfiguration configuration, HostSettings hostSettings, Uri? workerUri, int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = EnvironmentName(configuration),
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_loggers);
        builder.Services.AddRouting();
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton(configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new QueueConnections(configuration, hostSettings.Queues));
        builder.Services.AddSingleton(sp => new FunctionInvoker(_channel, sp.GetRequiredService<QueueConnections>(), _loggers));
        foreach (var function in enabled.Where(f => f.IsQueue))
        {
            builder.Services.AddSingleton<IHostedService>(sp => new QueueFunctionListener(
                function, sp.GetRequiredService<FunctionInvoker>(), sp.GetRequiredService<QueueConnections>(), _loggers));
        }

        foreach (var function in enabled.Where(f => f.IsTimer))
        {
            builder.Services.AddSingleton<IHostedService>(sp => new TimerFunctionScheduler(
                function, sp.GetRequiredService<FunctionInvoker>(), configuration, sp.GetRequiredService<TimeProvider>()));
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The Functions host's default request body limit (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT), 100 MB.
            kestrel.Limits.MaxRequestBodySize = 104_857_600;
            if (port == 0)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
            else
            {
                kestrel.ListenLocalhost(port);
            }
        });

        var app = builder.Build();
        var others = enabled.Where(f => !f.IsHttp && !f.IsQueue && !f.IsTimer).ToList();
        if (others.Count > 0)
        {
            var names = string.Join(", ", others.Select(f => $"{f.Name} ({f.Trigger.Type})"));
            HostLog.UnsupportedTriggers(_loggers.CreateLogger("Host.Startup"), names);
        }

        var router = new HttpFunctionRouter(functions.Where(f => f.IsHttp), enabled.Contains, hostSettings.RoutePrefix, app.Services.GetRequiredService<IInlineConstraintResolver>());
        var handler = workerUri is null ? null : new HttpFunctionHandler(router, app.Services.GetRequiredService<FunctionInvoker>(), app.Services.GetRequiredService<IHttpForwarder>(), workerUri);
        app.Run(context =>
        {
            if (handler is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return handler.HandleAsync(context);
        });
        if (handler is not null)
        {
            app.Lifetime.ApplicationStopped.Register(handler.Dispose);
        }

        return app;
    }

    private static async Task<WebApplication> StartRpcServerAsync(WorkerChannels channels, ILoggerFactory loggers, string environmentName, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory, EnvironmentName = environmentName });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton(channels);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        // The worker dials plain HTTP/2 (h2c) on loopback.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return app;
    }

    private static Uri RpcAddress(WebApplication rpc)
        => new(rpc.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static string HostVersion => typeof(LocalFunctionsHost).Assembly.GetName().Version?.ToString() ?? "1.0.0";

    private static void Ensure(StatusResult? result, string what)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker could not {what}: {result?.Exception?.Message ?? result?.Result ?? "no reason given"}");
        }
    }

    private static void CheckWorkerRuntime(IConfiguration configuration)
    {
        var runtime = configuration["FUNCTIONS_WORKER_RUNTIME"];
        if (runtime is not null && !runtime.Equals("dotnet-isolated", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"FUNCTIONS_WORKER_RUNTIME is '{runtime}'; this host runs .NET isolated worker apps (dotnet-isolated) only.");
        }
    }

    /// <summary>
    /// The app setting <c>AzureWebJobs.&lt;FunctionName&gt;.Disabled</c> set to true (or 1) turns a function off, as in
    /// the Functions host: the worker still loads it, but its trigger is never listened to (an HTTP one answers 404).
    /// </summary>
    internal static bool IsDisabled(IConfiguration configuration, string functionName)
    {
        var value = configuration[$"AzureWebJobs.{functionName}.Disabled"] ?? configuration[$"AzureWebJobs:{functionName}:Disabled"];
        return value is not null && (value.Trim() == "1" || bool.TryParse(value, out var disabled) && disabled);
    }

    /// <summary>Fails start-up with the fix when a Storage account that a queue binding needs does not answer.</summary>
    private static async Task CheckStorageAsync(QueueConnections connections, IReadOnlyList<HostedFunction> enabled, CancellationToken cancellationToken)
    {
        var used = enabled.Where(f => f.IsQueue).Select(f => f.Trigger)
            .Concat(enabled.SelectMany(f => f.QueueOutputs))
            .Select(b => connections.Resolve(b.Text("connection")))
            .DistinctBy(c => c.ConnectionString);
        foreach (var (setting, connectionString) in used)
        {
            // A few quick retries: a busy emulator's passing 5xx must not stop the start; an absent one fails in about a second.
            var service = new QueueServiceClient(connectionString, new QueueClientOptions
            {
                Retry = { MaxRetries = 3, Delay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(1), NetworkTimeout = TimeSpan.FromSeconds(10) },
            });
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

    private string FunctionList(IReadOnlyList<HostedFunction> functions, IReadOnlyList<HostedFunction> enabled, string routePrefix)
    {
        var address = BaseAddress.AbsoluteUri.TrimEnd('/');
        var text = new StringBuilder("Functions:").AppendLine().AppendLine();
        foreach (var function in functions.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (!enabled.Contains(function))
            {
                text.Append(CultureInfo.InvariantCulture, $"\t{function.Name}: disabled (AzureWebJobs.{function.Name}.Disabled)");
            }
            else if (function.IsHttp)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"\t{function.Name}: [{string.Join(',', HttpFunctionRouter.Methods(function))}] {address}/{HttpFunctionRouter.Template(function, routePrefix)}");
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"\t{function.Name}: {function.Trigger.Type}");
            }

            text.AppendLine().AppendLine();
        }

        return text.ToString().TrimEnd();
    }
}

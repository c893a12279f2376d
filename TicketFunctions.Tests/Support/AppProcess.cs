using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TicketFunctions.Tests.Support;

/// <summary>
/// The app as a developer runs it, in processes of its own: <c>dotnet FunctionsLocalHost.dll --script-root
/// TicketFunctions/bin/&lt;Config&gt;/net10.0 --port N</c>, the local host with the app's real worker as its child,
/// configured by environment variables only, its output kept for failure messages. <see cref="Kill"/> is a SIGKILL of
/// the whole tree (host and worker), as when an instance dies; dispose kills too.
/// </summary>
public sealed class AppProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, string> _environment;
    private readonly string _workingDirectory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private AppProcess(Dictionary<string, string> environment, string workingDirectory, int port)
    {
        _environment = environment;
        _workingDirectory = workingDirectory;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public HttpClient Client { get; }

    /// <summary>The local host's build, for the same configuration (Debug/Release) as this test assembly.</summary>
    public static string HostDll
    {
        get
        {
            var app = new DirectoryInfo(LocalHostApp.AppDirectory);
            var dll = Path.Combine(app.Parent!.Parent!.Parent!.Parent!.FullName, "FunctionsLocalHost", "bin", app.Parent.Name, app.Name, "FunctionsLocalHost.dll");
            return File.Exists(dll)
                ? dll
                : throw new InvalidOperationException($"{dll} is missing: the test project's reference to FunctionsLocalHost builds it; build TicketFunctions.Tests.");
        }
    }

    /// <summary>
    /// Creates the app's queues in the account <c>AzureWebJobsStorage</c> names (as infra/ does in Azure), starts the app
    /// with these environment variables (on a free port) and waits until /api/health answers 200.
    /// </summary>
    public static async Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        await AppQueues.CreateAsync(environment["AzureWebJobsStorage"]);
        var app = new AppProcess(new Dictionary<string, string>(environment), workingDirectory, FreePort());
        try
        {
            await app.RestartAsync();
            return app;
        }
        catch
        {
            app.Dispose();
            throw;
        }
    }

    /// <summary>Starts the process again with the same settings and port (after <see cref="Kill"/>) and waits until it is healthy.</summary>
    public async Task RestartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("The app is still running; kill it first.");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { HostDll, "--script-root", LocalHostApp.AppDirectory, "--port", Port.ToString(CultureInfo.InvariantCulture) },
            WorkingDirectory = _workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        Append($"--- starting: dotnet {HostDll} --script-root {LocalHostApp.AppDirectory} --port {Port}");
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {process.ExitCode} before it was healthy.{Output()}");
            }

            try
            {
                using var health = await Client.GetAsync(new Uri("api/health", UriKind.Relative));
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException($"The app was not healthy within {StartTimeout.TotalSeconds} s.{Output()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL, at once, whatever the app is doing; waits until the process is gone.</summary>
    public void Kill()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.WaitForExit(10_000);
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }

        Append("--- killed");
        _process.Dispose();
        _process = null;
    }

    /// <summary>The last lines the app wrote (stdout and stderr), for failure messages.</summary>
    public string Output(int lines = 150)
    {
        lock (_output)
        {
            var all = _output.ToString().Split('\n');
            return "\n--- app output (last lines) ---\n" + string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
    }

    /// <summary>How many of the lines the app has written so far (all its runs) contain <paramref name="text"/>.</summary>
    public int CountLines(string text)
    {
        lock (_output)
        {
            return _output.ToString().Split('\n').Count(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>Runs a test body; any failure carries the app's output.</summary>
    public async Task WithOutputOnFailure(Func<Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            await body();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(e.Message + Output(), e);
        }
    }

    public void Dispose()
    {
        Kill();
        Client.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using FunctionsLocalHost.Tests.Support;

namespace TicketFunctions.Benchmarks;

/// <summary>What a server process under test is: the app or the reference app under the local host, or bare Kestrel.</summary>
internal enum ServerKind
{
    App,
    Reference,
    Bare,
}

/// <summary>
/// A server under test in processes of its own, as a developer runs it: the local host's executable (<c>dotnet
/// FunctionsLocalHost.dll --script-root &lt;app&gt; --port N</c>) with the worker as its child, or bare Kestrel (<c>dotnet
/// TicketFunctions.Benchmarks.dll --bare --port N</c>), configured by environment variables only. The bench process
/// shares neither its process nor its worker's: it only sends the load. Output is drained and kept for errors.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(ServerKind kind, Process process, int port)
    {
        Kind = kind;
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        Children.Add(this, () => DisposeAsync().AsTask());
    }

    public ServerKind Kind { get; }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    /// <summary>The app's Release build, the reference app's, and the local host's.</summary>
    public static string AppDirectory => Build("TicketFunctions");

    public static string ReferenceDirectory => Build("TicketFunctions.Benchmarks.ReferenceApp");

    public static string HostDll => Path.Combine(Build("FunctionsLocalHost"), "FunctionsLocalHost.dll");

    public static string BareDll => typeof(ServerProcess).Assembly.Location;

    public static Task<ServerProcess> StartAsync(ServerKind kind, IReadOnlyDictionary<string, string> environment)
        => StartAsync(kind, environment, AzuriteProcess.FreePort(), TimeSpan.FromSeconds(90));

    /// <summary>The command line of a kind, for the report and for the start-up figure.</summary>
    public static (string Dll, string[] Arguments) CommandLine(ServerKind kind) => kind switch
    {
        ServerKind.App => (HostDll, ["--script-root", AppDirectory]),
        ServerKind.Reference => (HostDll, ["--script-root", ReferenceDirectory]),
        _ => (BareDll, ["--bare"]),
    };

    public static ProcessStartInfo StartInfo(ServerKind kind, IReadOnlyDictionary<string, string> environment, int port)
    {
        var (dll, arguments) = CommandLine(kind);
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }

    private static async Task<ServerProcess> StartAsync(ServerKind kind, IReadOnlyDictionary<string, string> environment, int port, TimeSpan timeout)
    {
        var process = Process.Start(StartInfo(kind, environment, port)) ?? throw new InvalidOperationException("Could not start dotnet.");
        var server = new ServerProcess(kind, process, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = TimeSpan.FromSeconds(10) };
            var clock = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"The {kind} process exited with code {process.ExitCode} before it was healthy.{server.Output()}");
                }

                try
                {
                    using var health = await http.GetAsync(new Uri(server.BaseAddress, "api/health"));
                    if (health.StatusCode == HttpStatusCode.OK)
                    {
                        return server;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException($"The {kind} process was not healthy within {timeout.TotalSeconds} s.{server.Output()}");
                }

                await Task.Delay(50);
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The host's worker: its child process (the local host starts exactly one).</summary>
    public int? WorkerPid()
    {
        try
        {
            foreach (var task in Directory.GetDirectories($"/proc/{Pid}/task"))
            {
                var children = File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (children.Length > 0)
                {
                    return int.Parse(children[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or the process is gone.
        }

        return null;
    }

    /// <summary>Peak (VmHWM) and current (VmRSS) resident set of a process, in MiB, from /proc.</summary>
    public static (double Peak, double Current) Memory(int? pid)
    {
        if (pid is null)
        {
            return (double.NaN, double.NaN);
        }

        try
        {
            double Read(string[] lines, string key)
                => lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) is { } line
                    ? double.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024
                    : double.NaN;
            var status = File.ReadAllLines($"/proc/{pid}/status");
            return (Read(status, "VmHWM:"), Read(status, "VmRSS:"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (double.NaN, double.NaN);
        }
    }

    public string Output(int lines = 60)
    {
        lock (_output)
        {
            var all = _output.ToString().Split('\n');
            return "\n--- process output (last lines) ---\n" + string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Children.Remove(this);
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private static string Build(string project) => Path.Combine(Repository.Root, project, "bin", Repository.Configuration, "net10.0");

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length > 200_000)
            {
                _output.Remove(0, 100_000);
            }

            _output.AppendLine(line);
        }
    }
}

/// <summary>One or more server processes of a kind over one database, the load spread over them (request k to process k mod n).</summary>
internal sealed class Fleet : IAsyncDisposable
{
    private Fleet(IReadOnlyList<ServerProcess> servers) => Servers = servers;

    public IReadOnlyList<ServerProcess> Servers { get; }

    public static async Task<Fleet> StartAsync(ServerKind kind, int instances, IReadOnlyDictionary<string, string> environment)
    {
        var servers = new List<ServerProcess>();
        try
        {
            for (var i = 0; i < instances; i++)
            {
                servers.Add(await ServerProcess.StartAsync(kind, environment));
            }

            return new Fleet(servers);
        }
        catch
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            throw;
        }
    }

    public Uri Address(int k, string path) => new(Servers[k % Servers.Count].BaseAddress, path);

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }
    }
}

/// <summary>
/// What this run started and must stop: a stop signal (SIGTERM from a CI runner or <c>kill</c>, SIGINT sent to the bench
/// alone) ends the run as Ctrl+C in a terminal does, where the whole process group gets the signal: no server, Azurite or
/// PostgreSQL of the run keeps running after it.
/// </summary>
internal static class Children
{
    private static readonly ConcurrentDictionary<object, Func<Task>> Stops = new();

    public static void Add(object owner, Func<Task> stop) => Stops[owner] = stop;

    public static void Remove(object owner) => Stops.TryRemove(owner, out _);

    /// <summary>Stops them all on SIGTERM or SIGINT; the signal then ends the process as it would have.</summary>
    public static IReadOnlyList<PosixSignalRegistration> StopOnSignals() =>
        [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT }.Select(signal => PosixSignalRegistration.Create(signal, _ => StopAll(signal)))];

    private static void StopAll(PosixSignal signal)
    {
        Console.WriteLine($"[bench] {signal}: stopping the {Stops.Count} processes this run started");
        try
        {
            Task.WaitAll([.. Stops.Values.Select(stop => Task.Run(stop))], TimeSpan.FromSeconds(30));
        }
        catch (AggregateException e)
        {
            Console.WriteLine($"[bench] stopping them: {e.InnerExceptions[0].Message}");
        }
    }
}

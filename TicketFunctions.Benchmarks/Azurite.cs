using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TicketFunctions.Benchmarks;

/// <summary>
/// A real Azurite queue service from the repository's node_modules, on a free port, in memory; killed on dispose.
/// The same logic as the tests' AzuriteFixture, without xunit.
/// </summary>
internal sealed class Azurite : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private Process? _process;
    private string? _location;

    public int QueuePort { get; private set; }

    public Uri QueueEndpoint => new($"http://127.0.0.1:{QueuePort}/{AccountName}");

    public string ConnectionString
        => $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};QueueEndpoint={QueueEndpoint};";

    public static async Task<Azurite> StartAsync()
    {
        var azurite = new Azurite();
        try
        {
            await azurite.InitializeAsync();
            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync()
    {
        var bin = Path.Combine(Repository.Root, "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite-queue.cmd" : "azurite-queue");
        if (!File.Exists(bin))
        {
            throw new InvalidOperationException($"Azurite is not installed ({bin} is missing): run npm ci first in {Repository.Root}.");
        }

        _location = Path.Combine(Path.GetTempPath(), "azurite-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_location);
        for (var attempt = 1; ; attempt++)
        {
            QueuePort = FreePort();
            _process = Process.Start(new ProcessStartInfo(bin)
            {
                ArgumentList =
                {
                    "--queuePort", QueuePort.ToString(CultureInfo.InvariantCulture),
                    "--queueHost", "127.0.0.1",
                    "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent",
                },
                WorkingDirectory = _location,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException($"Could not start {bin}.");
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();

            if (await AnswersAsync())
            {
                return;
            }

            Kill();
            if (attempt == 2)
            {
                throw new InvalidOperationException($"Azurite did not answer on port {QueuePort} within {StartTimeout.TotalSeconds} s.");
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            if (_location is not null)
            {
                Directory.Delete(_location, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }

        return ValueTask.CompletedTask;
    }

    private async Task<bool> AnswersAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout && _process is { HasExited: false })
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"{QueueEndpoint}?comp=list"));
                return true;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(100);
            }
        }

        return false;
    }

    private void Kill()
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
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
        }

        _process.Dispose();
        _process = null;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The repository root: the first folder above the binaries that holds package.json.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "package.json")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No package.json above {AppContext.BaseDirectory}: cannot find the repository.");
    }
}

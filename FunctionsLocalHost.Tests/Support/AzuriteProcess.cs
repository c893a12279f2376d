using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FunctionsLocalHost.Tests.Support;

/// <summary>
/// A real Azurite from the repository's node_modules (its blob, queue and table services, each on a free port), in
/// memory; killed on dispose. The Functions host needs the blob service beside the queues: its timer leases and schedule
/// status live there.
/// No test framework here: the tests wrap it in <see cref="AzuriteFixture"/>, and the app's tests and the benchmarks
/// link this file.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private Process? _process;
    private string? _location;

    public int QueuePort { get; private set; }

    public int BlobPort { get; private set; }

    public Uri QueueEndpoint => new($"http://127.0.0.1:{QueuePort}/{AccountName}");

    public Uri BlobEndpoint => new($"http://127.0.0.1:{BlobPort}/{AccountName}");

    /// <summary>The explicit devstore account connection string (UseDevelopmentStorage=true would mean ports 10000 and 10001).</summary>
    public string ConnectionString
        => $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};";

    private AzuriteProcess()
    {
    }

    /// <summary>Starts Azurite and waits until its blob and queue services answer.</summary>
    public static async Task<AzuriteProcess> StartAsync()
    {
        var azurite = new AzuriteProcess();
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
        var root = RepositoryRoot();
        var azurite = Path.Combine(root, "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"Azurite is not installed ({azurite} is missing): run npm ci first in {root}.");
        }

        _location = Path.Combine(Path.GetTempPath(), "azurite-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_location);

        // A free port can be taken between the probe and Azurite's bind; a second try settles it.
        for (var attempt = 1; ; attempt++)
        {
            QueuePort = FreePort();
            BlobPort = FreePort();
            _process = Process.Start(new ProcessStartInfo(azurite)
            {
                ArgumentList =
                {
                    "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--queueHost", "127.0.0.1",
                    "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--blobHost", "127.0.0.1",
                    // The table service cannot be left out of this launcher; it gets a free port too, unused.
                    "--tablePort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--tableHost", "127.0.0.1",
                    "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
                },
                WorkingDirectory = _location,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException($"Could not start {azurite}.");
            var output = new System.Text.StringBuilder();
            _process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            _process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();

            if (await AnswersAsync())
            {
                return;
            }

            Kill();
            if (attempt == 2)
            {
                string said;
                lock (output)
                {
                    said = output.ToString();
                }

                throw new InvalidOperationException($"Azurite did not answer on ports {BlobPort} and {QueuePort} within {StartTimeout.TotalSeconds} s. It said: {said}");
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
                // Any HTTP answer (even 403 for the missing signature) means the service is up.
                using var queues = await http.GetAsync(new Uri($"{QueueEndpoint}?comp=list"));
                using var blobs = await http.GetAsync(new Uri($"{BlobEndpoint}?comp=list"));
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

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "package.json")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No package.json above {AppContext.BaseDirectory}: cannot find the repository's node_modules.");
    }
}

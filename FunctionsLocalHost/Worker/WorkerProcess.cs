using System.Diagnostics;
using System.Text.Json;

using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>
/// The app's worker as a child process, started the way the Functions host starts it: the executable and worker path
/// from the app's <c>worker.config.json</c>, the host's gRPC address and the worker's id on the command line, the app
/// settings in its environment. Its output goes to the host's log; the last lines of its error output are kept, so
/// that a worker that dies at start-up can be reported with its own words.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    // The real host passes int.MaxValue; without a value the worker's gRPC channel limit would be 0.
    private const int MaxMessageLength = int.MaxValue;
    private const int KeptErrorLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _errors = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>The executable worker.config.json names (dotnet).</summary>
    public string Executable => _process.StartInfo.FileName;

    /// <summary>Completes with the exit code when the process ends.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The last lines the worker wrote to its error output (and, when there are none, to its standard output).</summary>
    public string RecentOutput
    {
        get
        {
            lock (_errors)
            {
                return string.Join(Environment.NewLine, _errors);
            }
        }
    }

    internal static WorkerProcess Start(
        string appDirectory, Uri hostUri, string workerId, IReadOnlyDictionary<string, string> settings, ILoggerFactory loggers)
    {
        var (executable, workerPath, arguments) = ReadWorkerConfig(appDirectory);
        var requestId = Guid.NewGuid().ToString();
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(workerPath);
        foreach (var argument in new[]
        {
            "--host", hostUri.Host, "--port", $"{hostUri.Port}", "--workerId", workerId, "--requestId", requestId,
            "--grpcMaxMessageLength", $"{MaxMessageLength}",
            "--functions-uri", hostUri.AbsoluteUri, "--functions-worker-id", workerId, "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", $"{MaxMessageLength}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        // Core Tools runs apps as Development unless told otherwise.
        if (Environment.GetEnvironmentVariable("AZURE_FUNCTIONS_ENVIRONMENT") is null && !settings.ContainsKey("AZURE_FUNCTIONS_ENVIRONMENT"))
        {
            start.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        var logger = loggers.CreateLogger("Host.Worker.Process");
        process.OutputDataReceived += (_, e) => worker.Output(logger, e.Data, error: false);
        process.ErrorDataReceived += (_, e) => worker.Output(logger, e.Data, error: true);
        process.Exited += (_, _) => worker._exited.TrySetResult(SafeExitCode(process));
        if (!process.Start())
        {
            throw new InvalidOperationException($"The worker process '{executable}' did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>What the process's exit means, in the Functions host's words (exit code -1 while it still runs).</summary>
    internal WorkerExitedException ExitException() => new(Executable, Exited.IsCompletedSuccessfully ? Exited.Result : -1, RecentOutput);

    /// <summary>Waits for the process to end by itself, then ends it and its children.</summary>
    internal async Task StopAsync(TimeSpan gracePeriod)
    {
        if (await Task.WhenAny(Exited, Task.Delay(gracePeriod)).ConfigureAwait(false) != Exited)
        {
            Kill();
            await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }
    }

    internal void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Output(ILogger logger, string? line, bool error)
    {
        if (line is null)
        {
            return;
        }

        lock (_errors)
        {
            if (error || _errors.Count < KeptErrorLines)
            {
                _errors.Enqueue(line);
                while (_errors.Count > KeptErrorLines)
                {
                    _errors.Dequeue();
                }
            }
        }

        if (error)
        {
            HostLog.WorkerError(logger, line);
        }
        else
        {
            HostLog.WorkerOutput(logger, line);
        }
    }

    private static int SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>
    /// <c>worker.config.json</c>'s <c>description</c>: <c>defaultExecutablePath</c> (dotnet), <c>defaultWorkerPath</c>
    /// (the app's dll, relative to the app folder) and any <c>arguments</c>, as the Functions host reads them.
    /// </summary>
    private static (string Executable, string WorkerPath, IReadOnlyList<string> Arguments) ReadWorkerConfig(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "worker.config.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"{path} is missing: this is not the output folder of a .NET isolated worker app. Build the app "
                + "(it must reference Microsoft.Azure.Functions.Worker.Sdk) and point the host at its bin/<Configuration>/<tfm> folder.");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        if (!document.RootElement.TryGetProperty("description", out var description))
        {
            throw new InvalidOperationException($"{path} has no 'description'.");
        }

        var executable = description.TryGetProperty("defaultExecutablePath", out var exe) ? exe.GetString() : null;
        var worker = description.TryGetProperty("defaultWorkerPath", out var dll) ? dll.GetString() : null;
        if (string.IsNullOrEmpty(executable) || string.IsNullOrEmpty(worker))
        {
            throw new InvalidOperationException($"{path} must name description.defaultExecutablePath and description.defaultWorkerPath.");
        }

        var arguments = description.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.Array
            ? args.EnumerateArray().Select(a => a.GetString()).OfType<string>().ToArray()
            : [];
        var workerPath = Path.IsPathRooted(worker) ? worker : Path.Combine(appDirectory, worker);
        if (!File.Exists(workerPath))
        {
            throw new InvalidOperationException($"The worker '{workerPath}' named in {path} is missing; build the app again.");
        }

        return (executable, workerPath, arguments);
    }
}

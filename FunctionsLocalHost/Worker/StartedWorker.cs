using FunctionsLocalHost.Rpc;

using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>
/// One worker process and its event stream, from launch to exit: what the Functions host calls a worker channel. Each
/// start (the first and every restart) is a new process with a new worker id, so it dials in on a new stream and its
/// ASP.NET Core integration picks a new port for its own HTTP server, which it reports in its init answer.
/// </summary>
internal sealed class StartedWorker : IDisposable
{
    private readonly WorkerChannels _channels;
    private readonly TaskCompletionSource _restartRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StartedWorker(WorkerProcess process, WorkerChannel channel, WorkerChannels channels)
    {
        Process = process;
        Channel = channel;
        _channels = channels;
    }

    public WorkerProcess Process { get; }

    public WorkerChannel Channel { get; }

    /// <summary>The worker's own HTTP server (its <c>HttpUri</c> capability), once it has answered the init request.</summary>
    public Uri? HttpUri { get; private set; }

    /// <summary>Completes when the process has exited, or when the host asked for this worker to be replaced.</summary>
    public Task Ended => Task.WhenAny(Process.Exited, _restartRequested.Task);

    public bool RestartRequested => _restartRequested.Task.IsCompleted;

    internal static StartedWorker Start(string appDirectory, Uri rpcAddress, WorkerChannels channels, IReadOnlyDictionary<string, string> environment, ILoggerFactory loggers)
    {
        var workerId = Guid.NewGuid().ToString();
        var channel = new WorkerChannel(workerId, loggers);
        channels.Add(channel);
        try
        {
            return new StartedWorker(WorkerProcess.Start(appDirectory, rpcAddress, workerId, environment, loggers), channel, channels);
        }
        catch
        {
            channels.Remove(workerId);
            throw;
        }
    }

    /// <summary>Waits for <c>StartStream</c>, then sends <c>WorkerInitRequest</c> and checks the answer.</summary>
    internal async Task<WorkerInitResponse> InitializeAsync(string appDirectory, string hostVersion, CancellationToken cancellationToken)
    {
        await UntilAnswered(Channel.Connected, cancellationToken).ConfigureAwait(false);
        var init = await UntilAnswered(
            Channel.InitializeAsync(new WorkerInitRequest { HostVersion = hostVersion, FunctionAppDirectory = appDirectory, WorkerDirectory = appDirectory }, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        Ensure(init.Result, "initialize");
        HttpUri = init.Capabilities.TryGetValue("HttpUri", out var uri) && Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed : null;
        return init;
    }

    internal async Task<FunctionMetadataResponse> GetFunctionMetadataAsync(string appDirectory, CancellationToken cancellationToken)
    {
        var metadata = await UntilAnswered(Channel.GetFunctionMetadataAsync(appDirectory, cancellationToken), cancellationToken).ConfigureAwait(false);
        Ensure(metadata.Result, "index its functions");
        return metadata;
    }

    /// <summary>Sends every load request at once and checks every answer, naming the functions that failed.</summary>
    internal async Task LoadAsync(IReadOnlyList<(string Name, FunctionLoadRequest Request)> loads, CancellationToken cancellationToken)
    {
        var answers = await UntilAnswered(Task.WhenAll(loads.Select(l => Channel.LoadAsync(l.Request, cancellationToken))), cancellationToken).ConfigureAwait(false);
        var failed = answers.Where(a => a.Result?.Status != StatusResult.Types.Status.Success).ToList();
        if (failed.Count > 0)
        {
            var names = failed.Select(a => $"'{loads.First(l => l.Request.FunctionId == a.FunctionId).Name}': {a.Result?.Exception?.Message}");
            throw new InvalidOperationException($"The worker could not load {failed.Count} function(s): {string.Join("; ", names)}");
        }
    }

    /// <summary>Asks for this worker to be replaced (a timed-out invocation it does not give up).</summary>
    internal void RequestRestart() => _restartRequested.TrySetResult();

    /// <summary>
    /// Sends <c>WorkerTerminate</c>, waits up to <paramref name="gracePeriod"/> for the process to exit, then kills it
    /// and its children; the stream is forgotten.
    /// </summary>
    internal async Task StopAsync(TimeSpan gracePeriod)
    {
        if (!Process.Exited.IsCompleted)
        {
            Channel.Terminate(gracePeriod);
            await Process.StopAsync(gracePeriod).ConfigureAwait(false);
        }

        _channels.Remove(Channel.WorkerId);
    }

    public void Kill() => Process.Kill();

    public void Dispose()
    {
        _channels.Remove(Channel.WorkerId);
        Process.Dispose();
    }

    /// <summary>Waits for a worker answer, or says why it will not come: the process exited, with its last output.</summary>
    private async Task<T> UntilAnswered<T>(Task<T> answer, CancellationToken cancellationToken)
    {
        await UntilAnswered((Task)answer, cancellationToken).ConfigureAwait(false);
        return await answer.ConfigureAwait(false);
    }

    private async Task UntilAnswered(Task answer, CancellationToken cancellationToken)
    {
        var cancelled = Task.Delay(Timeout.Infinite, cancellationToken);
        var first = await Task.WhenAny(answer, Process.Exited, cancelled).ConfigureAwait(false);
        if (first == Process.Exited && !answer.IsCompleted)
        {
            throw Process.ExitException();
        }

        if (first == cancelled)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        try
        {
            await answer.ConfigureAwait(false);
        }
        catch (WorkerUnavailableException ex)
        {
            throw await ExplainAsync(ex).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A stream that ended because the process is ending is told by the process's exit, as the Functions host fails a
    /// dead worker's invocations with its WorkerProcessExitException; a stream that ended otherwise, by itself.
    /// </summary>
    internal async Task<Exception> ExplainAsync(WorkerUnavailableException unavailable)
        => await Task.WhenAny(Process.Exited, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false) == Process.Exited
            ? Process.ExitException()
            : unavailable;

    private static void Ensure(StatusResult? result, string what)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker could not {what}: {result?.Exception?.Message ?? result?.Result ?? "no reason given"}");
        }
    }
}

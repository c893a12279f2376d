using FunctionsLocalHost.Rpc;

using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>
/// Keeps one worker running, as azure-functions-host's RpcFunctionInvocationDispatcher does for a process count of one:
/// a worker that exits, or that fails its start, is replaced by a new process with a new stream, init request and
/// function loads; errors are counted, and the third within 30 minutes of the one before stops the host
/// (<c>ErrorEventsThreshold</c> = 3 × the process count, <c>WorkerRestartErrorIntervalThresholdInMinutes</c>). A restart
/// waits <c>ProcessRestartInterval</c> (10 s) after the previous restart attempt. A worker the host replaces on purpose
/// (a timed-out invocation it does not give up, or its exit code 200) is not counted. Invocations wait for a ready
/// worker, up to (threshold + 1) × the 10 s init timeout, as WorkerFunctionInvoker does.
/// </summary>
internal sealed class WorkerDispatcher : IAsyncDisposable
{
    internal const int ErrorEventsThreshold = 3;
    internal static readonly TimeSpan ErrorWindow = TimeSpan.FromMinutes(30);
    internal static readonly TimeSpan RestartInterval = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds((ErrorEventsThreshold + 1) * 10);

    /// <summary>TimeoutAttribute's grace period: how long a timed-out invocation has to end before its worker is replaced.</summary>
    internal static readonly TimeSpan TimeoutGracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>WorkerConstants.WorkerTerminateGracePeriodInSeconds: how long a worker being replaced has to exit.</summary>
    internal static readonly TimeSpan TerminateGracePeriod = TimeSpan.FromSeconds(5);

    /// <summary>WorkerConstants.IntentionalRestartExitCode: a worker asking to be restarted.</summary>
    private const int IntentionalRestartExitCode = 200;

    private const string LimitMessage =
        "Exceeded language worker restart retry count for runtime:dotnet-isolated. Shutting down and proactively recycling the Functions Host to recover";

    private readonly string _appDirectory;
    private readonly Uri _rpcAddress;
    private readonly WorkerChannels _channels;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly string _hostVersion;
    private readonly TimeSpan _startTimeout;
    private readonly Stack<DateTimeOffset> _errors = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource<string> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private TaskCompletionSource<StartedWorker> _ready = NewReady();
    private StartedWorker? _latest;
    private IReadOnlyList<(string Name, FunctionLoadRequest Request)> _loads = [];
    private DateTimeOffset? _lastRestartEnded;
    private Task _supervising = Task.CompletedTask;

    internal WorkerDispatcher(
        string appDirectory, Uri rpcAddress, WorkerChannels channels, IReadOnlyDictionary<string, string> environment, ILoggerFactory loggers, string hostVersion, TimeSpan startTimeout)
    {
        _appDirectory = appDirectory;
        _rpcAddress = rpcAddress;
        _channels = channels;
        _environment = environment;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Host.Worker");
        _hostVersion = hostVersion;
        _startTimeout = startTimeout;
    }

    /// <summary>The newest worker process's id (the one serving, or the one starting).</summary>
    public int WorkerProcessId => Latest.Process.Id;

    /// <summary>The newest worker process's last output.</summary>
    public string RecentOutput => Latest.Process.RecentOutput;

    /// <summary>Completes, with the reason, when the host must stop because no worker can be kept running.</summary>
    public Task<string> Failed => _failed.Task;

    private StartedWorker Latest
    {
        get
        {
            lock (_gate)
            {
                return _latest ?? throw new InvalidOperationException("No worker has been started.");
            }
        }
    }

    /// <summary>
    /// Starts the first worker and runs <paramref name="handshake"/> on it (init, metadata, validation, loads), which
    /// returns the load requests every later worker gets. A worker that exits during its start is started again
    /// within the limits; any other failure of the handshake stops the start.
    /// </summary>
    internal async Task StartAsync(
        Func<StartedWorker, CancellationToken, Task<IReadOnlyList<(string Name, FunctionLoadRequest Request)>>> handshake, CancellationToken cancellationToken)
    {
        StartedWorker worker;
        try
        {
            worker = await StartUntilReadyAsync(
                async (w, ct) => _loads = await handshake(w, ct).ConfigureAwait(false),
                ex => ex is WorkerExitedException,
                restart: false,
                cancellationToken).ConfigureAwait(false);
        }
        catch (WorkerRestartLimitException limit)
        {
            throw new InvalidOperationException(
                $"{LimitMessage}. The worker process exited with code {limit.Exit.ExitCode} while the host was starting, "
                + $"{ErrorEventsThreshold} times. Its last output:{Environment.NewLine}{limit.Exit.Output}",
                limit.Exit);
        }

        MarkReady(worker, restarted: false);
        _supervising = SuperviseAsync(worker);
    }

    /// <summary>The worker to send an invocation to, once one is ready (at once, except while a worker restarts).</summary>
    internal async Task<StartedWorker> ReadyAsync(CancellationToken cancellationToken)
    {
        Task<StartedWorker> ready;
        lock (_gate)
        {
            ready = _ready.Task;
        }

        if (ready.IsCompletedSuccessfully)
        {
            return ready.Result;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waited = Task.Delay(ReadyWait, wait.Token);
        var first = await Task.WhenAny(ready, _failed.Task, waited).ConfigureAwait(false);
        await wait.CancelAsync().ConfigureAwait(false);
        if (first == ready)
        {
            return await ready.ConfigureAwait(false);
        }

        if (first == _failed.Task)
        {
            throw new WorkerUnavailableException($"No worker is running: {_failed.Task.Result}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        HostLog.ReadyWaitTimedOut(_logger);
        Fail("Final functionDispatcher state: WorkerProcessRestarting. Initialization timed out and host is shutting down");
        throw new WorkerUnavailableException($"No worker was ready within {ReadyWait.TotalSeconds:0} s.");
    }

    /// <summary>
    /// After an invocation timed out on <paramref name="worker"/>: if the worker has not answered it within the grace
    /// period, the worker is replaced (WebScriptHostExceptionHandler.OnTimeoutExceptionAsync and
    /// RpcFunctionInvocationDispatcher.RestartWorkerWithInvocationIdAsync).
    /// </summary>
    internal async Task OnTimeoutAsync(StartedWorker worker, string invocationId, Task answer)
    {
        try
        {
            await answer.WaitAsync(TimeoutGracePeriod).ConfigureAwait(false);
            HostLog.TimeoutEndedInGracePeriod(_logger, invocationId);
            return;
        }
        catch (TimeoutException)
        {
            // Still running: the worker goes.
        }
        catch (Exception ex) when (ex is WorkerUnavailableException or OperationCanceledException)
        {
            // Its worker has gone already, or the host is stopping.
            return;
        }

        if (_stopping.IsCancellationRequested || worker.Ended.IsCompleted || !worker.Channel.IsExecuting(invocationId))
        {
            return;
        }

        HostLog.TimeoutRestart(_logger, invocationId);
        worker.RequestRestart();
    }

    /// <summary>Kills the newest worker process at once (SIGKILL), as a crash would.</summary>
    internal void KillWorker() => Latest.Kill();

    /// <summary>Stops restarting, then asks the worker to stop within the grace period and kills it after.</summary>
    internal async Task StopAsync(TimeSpan gracePeriod)
    {
        StartedWorker? worker;
        lock (_gate)
        {
            _stopping.Cancel();
            _ready.TrySetException(new WorkerUnavailableException("The host is stopping."));
            worker = _latest;
        }

        if (worker is not null)
        {
            await worker.StopAsync(gracePeriod).ConfigureAwait(false);
        }

        await _supervising.ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _stopping.Cancel();
            _latest?.Dispose();
        }

        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }

    private static TaskCompletionSource<StartedWorker> NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Waits for each worker to end, then replaces it, until the host stops or the limit is reached.</summary>
    private async Task SuperviseAsync(StartedWorker worker)
    {
        try
        {
            while (true)
            {
                await worker.Ended.ConfigureAwait(false);
                lock (_gate)
                {
                    if (_stopping.IsCancellationRequested)
                    {
                        return;
                    }

                    if (_ready.Task.IsCompleted)
                    {
                        _ready = NewReady();
                    }
                }

                var requested = worker.RestartRequested;
                WorkerExitedException? error = null;
                if (!requested)
                {
                    var exit = worker.Process.ExitException();
                    if (exit.ExitCode == IntentionalRestartExitCode)
                    {
                        HostLog.IntentionalRestart(_logger);
                    }
                    else
                    {
                        HostLog.WorkerProcessExited(_logger, exit, worker.Process.Id);
                        error = exit;
                    }
                }

                await worker.StopAsync(TerminateGracePeriod).ConfigureAwait(false);
                if (error is not null && !CountError())
                {
                    Fail(error);
                    return;
                }

                worker = await StartUntilReadyAsync(RestartHandshakeAsync, ex => ex is not OperationCanceledException, restart: true, _stopping.Token)
                    .ConfigureAwait(false);
                MarkReady(worker, requested);
            }
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // The host is stopping: whatever the worker being started did, it is stopped with the host.
        }
        catch (WorkerRestartLimitException limit)
        {
            Fail(limit.Exit);
        }
        catch (Exception ex)
        {
            // The worker cannot even be launched any more (its build was deleted, say).
            HostLog.WorkerStartFailed(_logger, ex);
            Fail(ex.Message);
        }
    }

    /// <summary>
    /// Launches workers until one passes <paramref name="handshake"/>; a failure <paramref name="isWorkerError"/> accepts
    /// is an error of the worker (counted, then the next restart), anything else ends the attempt.
    /// </summary>
    private async Task<StartedWorker> StartUntilReadyAsync(
        Func<StartedWorker, CancellationToken, Task> handshake, Func<Exception, bool> isWorkerError, bool restart, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (restart)
            {
                await WaitBeforeRestartAsync(cancellationToken).ConfigureAwait(false);
                HostLog.Restarting(_logger, _errors.Count, ErrorEventsThreshold);
            }

            var worker = Launch();
            try
            {
                await handshake(worker, cancellationToken).ConfigureAwait(false);
                EndAttempt(restart);
                return worker;
            }
            catch (Exception ex) when (isWorkerError(ex) && !cancellationToken.IsCancellationRequested)
            {
                EndAttempt(restart);
                var exit = await EndFailedStartAsync(worker, ex).ConfigureAwait(false);
                if (!CountError())
                {
                    throw new WorkerRestartLimitException(exit);
                }

                restart = true;
            }
            catch
            {
                await worker.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>A restarted worker's handshake: init and the first worker's load requests, no metadata request.</summary>
    private async Task RestartHandshakeAsync(StartedWorker worker, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_startTimeout);
        try
        {
            await worker.InitializeAsync(_appDirectory, _hostVersion, timeout.Token).ConfigureAwait(false);
            await worker.LoadAsync(_loads, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            throw new TimeoutException($"The worker did not connect and load its functions within {_startTimeout.TotalSeconds:0} s.");
        }
    }

    private StartedWorker Launch()
    {
        lock (_gate)
        {
            _stopping.Token.ThrowIfCancellationRequested();
            var previous = _latest;
            _latest = StartedWorker.Start(_appDirectory, _rpcAddress, _channels, _environment, _loggers);
            previous?.Dispose();
            return _latest;
        }
    }

    private void MarkReady(StartedWorker worker, bool restarted)
    {
        lock (_gate)
        {
            _ready.TrySetResult(worker);
        }

        // The real host's line on every worker start ("Do not change this log message": tools wait for it).
        HostLog.WorkerInitialized(_logger);
        if (restarted)
        {
            HostLog.RestartCompleted(_logger);
        }
    }

    /// <summary>A worker that failed its start: logged as the Functions host logs it, and gone.</summary>
    private async Task<WorkerExitedException> EndFailedStartAsync(StartedWorker worker, Exception failure)
    {
        if (failure is not WorkerExitedException)
        {
            HostLog.WorkerStartFailed(_logger, failure);
            worker.Kill();
        }

        await Task.WhenAny(worker.Process.Exited, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        var exit = worker.Process.ExitException();
        HostLog.WorkerProcessExited(_logger, exit, worker.Process.Id);
        await worker.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        return exit;
    }

    /// <summary>
    /// Records an error (RpcFunctionInvocationDispatcher.AddOrUpdateErrorBucket: one more than 30 minutes after the
    /// previous starts the count again) and says whether another restart is allowed.
    /// </summary>
    private bool CountError()
    {
        var now = DateTimeOffset.UtcNow;
        if (_errors.TryPeek(out var previous) && now - previous > ErrorWindow)
        {
            _errors.Clear();
        }

        _errors.Push(now);
        return _errors.Count < ErrorEventsThreshold;
    }

    /// <summary>The restart lock is held for the restart interval after each restart attempt.</summary>
    private async Task WaitBeforeRestartAsync(CancellationToken cancellationToken)
    {
        if (_lastRestartEnded is { } ended && ended + RestartInterval - DateTimeOffset.UtcNow is { Ticks: > 0 } wait)
        {
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private void EndAttempt(bool restart)
    {
        if (restart)
        {
            _lastRestartEnded = DateTimeOffset.UtcNow;
        }
    }

    private void Fail(WorkerExitedException exit)
        => Fail($"{LimitMessage}. The worker process exited with code {exit.ExitCode}. Its last output:{Environment.NewLine}{exit.Output}");

    private void Fail(string reason)
    {
        if (_failed.TrySetResult(reason))
        {
            lock (_gate)
            {
                _ready.TrySetException(new WorkerUnavailableException(reason));
            }
        }
    }

    /// <summary>The last of the errors the restart limit allows.</summary>
    private sealed class WorkerRestartLimitException(WorkerExitedException exit) : Exception(exit.Message, exit)
    {
        public WorkerExitedException Exit { get; } = exit;
    }
}

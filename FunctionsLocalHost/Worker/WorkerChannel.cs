using System.Collections.Concurrent;
using System.Threading.Channels;

using FunctionsLocalHost.Rpc;

using Grpc.Core;

using Microsoft.Extensions.Logging;

using GrpcException = Grpc.Core.RpcException;

namespace FunctionsLocalHost;

/// <summary>The worker ended its event stream (it exited or crashed) while the host was waiting for an answer.</summary>
internal sealed class WorkerUnavailableException(string message) : Exception(message);

/// <summary>
/// The host's end of one worker's <c>FunctionRpc.EventStream</c>: requests go out through one writer, and each answer is
/// paired with its request by kind and id (the init and metadata answers, one load answer per function id, one
/// invocation answer per invocation id). The worker's <c>RpcLog</c> messages go to the host's logging.
/// </summary>
internal sealed class WorkerChannel(string workerId, ILoggerFactory loggers)
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger = loggers.CreateLogger("Host.Worker");

    public string WorkerId { get; } = workerId;

    /// <summary>Completes when the worker has opened its stream with <c>StartStream</c>.</summary>
    public Task Connected => _connected.Task;

    /// <summary>Completes when the stream has ended.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Serves the stream until it ends; called by the gRPC service once the worker said who it is.</summary>
    internal async Task RunAsync(IAsyncStreamReader<StreamingMessage> input, IServerStreamWriter<StreamingMessage> output, CancellationToken cancellationToken)
    {
        _connected.TrySetResult();
        var writer = WriteAsync(output, cancellationToken);
        try
        {
            while (await input.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                Dispatch(input.Current);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or GrpcException)
        {
            // The worker went away; Close tells everyone waiting.
        }
        finally
        {
            Close();
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException or GrpcException)
            {
                // Writing to a stream that has ended.
            }
        }
    }

    internal async Task<WorkerInitResponse> InitializeAsync(WorkerInitRequest request, CancellationToken cancellationToken)
        => (await RequestAsync("init", new StreamingMessage { WorkerInitRequest = request }, cancellationToken).ConfigureAwait(false)).WorkerInitResponse;

    internal async Task<FunctionMetadataResponse> GetFunctionMetadataAsync(string appDirectory, CancellationToken cancellationToken)
        => (await RequestAsync(
                "metadata",
                new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory } },
                cancellationToken).ConfigureAwait(false)).FunctionMetadataResponse;

    internal async Task<FunctionLoadResponse> LoadAsync(FunctionLoadRequest request, CancellationToken cancellationToken)
        => (await RequestAsync($"load:{request.FunctionId}", new StreamingMessage { FunctionLoadRequest = request }, cancellationToken).ConfigureAwait(false))
            .FunctionLoadResponse;

    internal async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        => (await RequestAsync($"invocation:{request.InvocationId}", new StreamingMessage { InvocationRequest = request }, cancellationToken).ConfigureAwait(false))
            .InvocationResponse;

    /// <summary>Whether the worker still owes the answer to an invocation.</summary>
    internal bool IsExecuting(string invocationId) => _pending.ContainsKey($"invocation:{invocationId}");

    /// <summary>Tells the worker that the caller of an invocation has gone (the worker cancels its token).</summary>
    internal void Cancel(string invocationId)
        => _outbound.Writer.TryWrite(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocationId } });

    /// <summary>Asks the worker to stop within <paramref name="gracePeriod"/>.</summary>
    internal void Terminate(TimeSpan gracePeriod)
        => _outbound.Writer.TryWrite(new StreamingMessage
        {
            WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(gracePeriod) },
        });

    private async Task<StreamingMessage> RequestAsync(string key, StreamingMessage request, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(key, answer))
        {
            throw new InvalidOperationException($"A request '{key}' to worker {WorkerId} is already waiting for its answer.");
        }

        if (_closed.Task.IsCompleted)
        {
            _pending.TryRemove(key, out _);
            throw new WorkerUnavailableException($"The worker process ({WorkerId}) is not connected.");
        }

        request.RequestId = Guid.NewGuid().ToString();
        await _outbound.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        using var registration = cancellationToken.Register(() =>
        {
            if (_pending.TryRemove(key, out var waiting))
            {
                waiting.TrySetCanceled(cancellationToken);
            }
        });
        return await answer.Task.ConfigureAwait(false);
    }

    private async Task WriteAsync(IServerStreamWriter<StreamingMessage> output, CancellationToken cancellationToken)
    {
        await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await output.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                WorkerLog.Write(loggers, message.RpcLog);
                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                Answer("init", message);
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                Answer("metadata", message);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                Answer($"load:{message.FunctionLoadResponse.FunctionId}", message);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                Answer($"invocation:{message.InvocationResponse.InvocationId}", message);
                break;
            default:
                // Messages this host does not ask for (status, heartbeat) need no answer.
                break;
        }
    }

    private void Answer(string key, StreamingMessage message)
    {
        if (_pending.TryRemove(key, out var waiting))
        {
            waiting.TrySetResult(message);
        }
        else
        {
            HostLog.UnexpectedWorkerMessage(_logger, message.ContentCase.ToString(), key);
        }
    }

    private void Close()
    {
        _outbound.Writer.TryComplete();
        _closed.TrySetResult();
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out var waiting))
            {
                waiting.TrySetException(new WorkerUnavailableException($"The worker process ({WorkerId}) ended its connection to the host."));
            }
        }
    }
}

/// <summary>The gRPC service the worker dials: it names itself with <c>StartStream</c>, then the channel takes over.</summary>
internal sealed class FunctionRpcService(WorkerChannels channels) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false)
            || requestStream.Current.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
        {
            throw new GrpcException(new Status(StatusCode.InvalidArgument, "The first message of a worker must be StartStream."));
        }

        var workerId = requestStream.Current.StartStream.WorkerId;
        var channel = channels.Find(workerId)
            ?? throw new GrpcException(new Status(StatusCode.NotFound, $"This host did not start a worker with id '{workerId}'."));
        await channel.RunAsync(requestStream, responseStream, context.CancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The workers this host started, by worker id.</summary>
internal sealed class WorkerChannels
{
    private readonly ConcurrentDictionary<string, WorkerChannel> _channels = new(StringComparer.Ordinal);

    internal void Add(WorkerChannel channel) => _channels[channel.WorkerId] = channel;

    internal WorkerChannel? Find(string workerId) => _channels.GetValueOrDefault(workerId);

    internal void Remove(string workerId) => _channels.TryRemove(workerId, out _);
}

/// <summary>Writes the worker's <c>RpcLog</c> messages under their own categories, as the Functions host does.</summary>
internal static class WorkerLog
{
    internal static void Write(ILoggerFactory loggers, RpcLog log)
    {
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        var logger = loggers.CreateLogger(string.IsNullOrEmpty(log.Category) ? "Worker" : log.Category);
        if (level == LogLevel.None || !logger.IsEnabled(level))
        {
            return;
        }

        var text = log.Exception is { } exception
            ? $"{log.Message}{Environment.NewLine}{exception.Type}: {exception.Message}{Environment.NewLine}{exception.StackTrace}"
            : log.Message;
        logger.Log(level, default, text, null, static (state, _) => state);
    }
}

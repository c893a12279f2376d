using System.Diagnostics;
using System.Text;
using System.Text.Json;

using FunctionsLocalHost.Rpc;

using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>The worker reported a failed invocation; the message is the worker's, as the Functions host logs it.</summary>
internal sealed class FunctionInvocationException(string message) : Exception(message);

/// <summary>
/// Runs invocations on the worker: waits for a ready worker (one may be restarting), sends the <c>InvocationRequest</c>,
/// waits for its response within <c>functionTimeout</c>, writes the queue outputs of a successful one (after the
/// function, as the Functions host does) and logs a line before and after each invocation.
/// </summary>
internal sealed class FunctionInvoker(WorkerDispatcher dispatcher, QueueConnections queues, TimeSpan? functionTimeout, ILoggerFactory loggers)
{
    /// <summary>A new invocation request for a function, with the trigger's value as its one input.</summary>
    internal static InvocationRequest Request(HostedFunction function, TypedData trigger)
        => new()
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            InputData = { new ParameterBinding { Name = function.Trigger.Name, Data = trigger } },
            // The worker starts its invocation activity from the host's trace context (W3C traceparent).
            TraceContext = new RpcTraceContext { TraceParent = TraceParent(Activity.Current) },
        };

    /// <summary>
    /// The current request's context, or a new trace for a queue or timer invocation. Sampled (flag 01) unless a
    /// caller's traceparent said otherwise, as the Functions host's own span is: a parent marked unsampled would make
    /// the worker's OpenTelemetry drop every span of the invocation, and its exporters decide what leaves the worker.
    /// </summary>
    private static string TraceParent(Activity? current)
        => current is { IdFormat: ActivityIdFormat.W3C }
            ? $"00-{current.TraceId}-{current.SpanId}-{(current.ParentId is null || current.Recorded ? "01" : "00")}"
            : $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01";

    /// <summary>
    /// The HTTP trigger's reason in the Functions host's log: its HTTP invocations are calls through the host's own
    /// APIs (azure-webjobs-sdk FunctionExecutor; the queue and timer triggers give their own reasons).
    /// </summary>
    internal const string HttpReason = "This function was programmatically called via the host APIs.";

    /// <summary>
    /// The line before an invocation, as azure-webjobs-sdk's FunctionInstanceLogger writes it
    /// (<c>Executing 'Functions.X' (Reason='...', Id=...)</c>); <see cref="CompleteAsync"/> writes the line after.
    /// </summary>
    internal void Executing(HostedFunction function, string invocationId, string reason)
    {
        var logger = loggers.CreateLogger($"Function.{function.Name}");
        if (logger.IsEnabled(LogLevel.Information))
        {
            HostLog.Executing(logger, function.Name, reason, invocationId);
        }
    }

    /// <summary>
    /// Invokes, then completes: true when the function and its outputs succeeded. <paramref name="forward"/> (an HTTP
    /// function's request) starts on the chosen worker just before the invocation request is sent, as the Functions
    /// host starts forwarding first; its failure fails the invocation, and it is cancelled when the invocation ends
    /// without the worker's answer (a timeout, a dead worker).
    /// </summary>
    internal async Task<bool> InvokeAsync(
        HostedFunction function, InvocationRequest request, string reason, CancellationToken cancellationToken,
        Func<StartedWorker, CancellationToken, Task<Exception?>>? forward = null)
    {
        Executing(function, request.InvocationId, reason);
        var stopwatch = Stopwatch.StartNew();
        InvocationResponse? response = null;
        Exception? failure = null;
        // azure-webjobs-sdk FunctionExecutor: the timeout runs from the start of the invocation, a wait for a worker
        // included.
        using var timeout = new CancellationTokenSource();
        if (functionTimeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        using var cancelForwarding = new CancellationTokenSource();
        Task<Exception?>? forwarding = null;
        try
        {
            StartedWorker worker;
            using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken))
            {
                worker = await dispatcher.ReadyAsync(waiting.Token).ConfigureAwait(false);
            }

            forwarding = forward?.Invoke(worker, cancelForwarding.Token);
            // A cancelled invocation (the host is stopping) is cancelled in the worker too, as the Functions host does.
            using var cancel = cancellationToken.Register(() => worker.Channel.Cancel(request.InvocationId));
            var answer = worker.Channel.InvokeAsync(request, cancellationToken);
            if (await Task.WhenAny(answer, Task.Delay(Timeout.Infinite, timeout.Token)).ConfigureAwait(false) == answer)
            {
                try
                {
                    response = await answer.ConfigureAwait(false);
                }
                catch (WorkerUnavailableException ex)
                {
                    failure = await worker.ExplainAsync(ex).ConfigureAwait(false);
                }
            }
            else
            {
                failure = TimedOut(function, request.InvocationId, worker, answer);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            failure = TimedOut(function, request.InvocationId, worker: null, answer: null);
        }
        catch (Exception ex) when (ex is WorkerUnavailableException or OperationCanceledException)
        {
            failure = ex;
        }

        if (forwarding is not null)
        {
            if (failure is not null)
            {
                await cancelForwarding.CancelAsync().ConfigureAwait(false);
            }

            var forwardingFailure = await forwarding.ConfigureAwait(false);
            failure ??= forwardingFailure;
        }

        return await CompleteAsync(function, request.InvocationId, response, failure, stopwatch).ConfigureAwait(false);
    }

    /// <summary>
    /// An invocation past <c>functionTimeout</c>, as azure-webjobs-sdk's FunctionExecutor handles it: the error line,
    /// the invocation cancelled in the worker, a <see cref="FunctionTimeoutException"/> as its failure, and then the
    /// worker replaced if it does not end the invocation within the grace period.
    /// </summary>
    private FunctionTimeoutException TimedOut(HostedFunction function, string invocationId, StartedWorker? worker, Task? answer)
    {
        var limit = functionTimeout!.Value;
        HostLog.TimeoutExceeded(loggers.CreateLogger($"Function.{function.Name}"), limit, function.Name, invocationId);
        if (worker is not null && answer is not null)
        {
            worker.Channel.Cancel(invocationId);
            _ = dispatcher.OnTimeoutAsync(worker, invocationId, answer);
        }

        return new FunctionTimeoutException(limit, function.Name);
    }

    /// <summary>Writes a successful invocation's queue outputs and logs the outcome.</summary>
    internal async Task<bool> CompleteAsync(HostedFunction function, string invocationId, InvocationResponse? response, Exception? failure, Stopwatch stopwatch)
    {
        var logger = loggers.CreateLogger($"Function.{function.Name}");
        failure ??= response!.Result?.Status == StatusResult.Types.Status.Success ? null : Failure(response!.Result);
        if (failure is null)
        {
            try
            {
                await WriteOutputsAsync(function, response!).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Whatever Storage does (an error answer, or retries that all failed: AggregateException), the
                // invocation has failed, as on the Functions host.
                HostLog.OutputFailed(logger, ex, function.Name, invocationId);
                failure = ex;
            }
        }

        if (failure is null)
        {
            HostLog.Succeeded(logger, function.Name, invocationId, stopwatch.ElapsedMilliseconds);
            return true;
        }

        HostLog.Failed(logger, failure, function.Name, invocationId, stopwatch.ElapsedMilliseconds);
        return false;
    }

    private async Task WriteOutputsAsync(HostedFunction function, InvocationResponse response)
    {
        foreach (var output in function.QueueOutputs)
        {
            var data = output.Name == "$return"
                ? response.ReturnValue
                : response.OutputData.FirstOrDefault(d => d.Name == output.Name)?.Data;
            var messages = data is null ? [] : Messages(data).ToList();
            if (messages.Count > 0)
            {
                await queues.SendAsync(output, messages, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The queue messages an output value stands for: text and bytes as they are, a JSON array one message per item,
    /// a collection one message per element. A missing (null) output sends nothing.
    /// </summary>
    internal static IEnumerable<byte[]> Messages(TypedData data)
    {
        switch (data.DataCase)
        {
            case TypedData.DataOneofCase.String:
                yield return Encoding.UTF8.GetBytes(data.String);
                break;
            case TypedData.DataOneofCase.Json:
                using (var document = JsonDocument.Parse(data.Json))
                {
                    if (document.RootElement.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var item in document.RootElement.EnumerateArray())
                        {
                            yield return Encoding.UTF8.GetBytes(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
                        }
                    }
                    else if (document.RootElement.ValueKind != JsonValueKind.Null)
                    {
                        yield return Encoding.UTF8.GetBytes(data.Json);
                    }
                }

                break;
            case TypedData.DataOneofCase.Bytes:
                yield return data.Bytes.ToByteArray();
                break;
            case TypedData.DataOneofCase.Stream:
                yield return data.Stream.ToByteArray();
                break;
            case TypedData.DataOneofCase.Int:
                yield return Encoding.UTF8.GetBytes(data.Int.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case TypedData.DataOneofCase.Double:
                yield return Encoding.UTF8.GetBytes(data.Double.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case TypedData.DataOneofCase.CollectionString:
                foreach (var text in data.CollectionString.String)
                {
                    yield return Encoding.UTF8.GetBytes(text);
                }

                break;
            case TypedData.DataOneofCase.CollectionBytes:
                foreach (var bytes in data.CollectionBytes.Bytes)
                {
                    yield return bytes.ToByteArray();
                }

                break;
            default:
                break;
        }
    }

    private static FunctionInvocationException Failure(StatusResult? result)
    {
        var exception = result?.Exception;
        var text = new StringBuilder("Result: Failure");
        if (exception is not null)
        {
            text.AppendLine().Append("Exception: ").Append(exception.Message);
            if (!string.IsNullOrEmpty(exception.StackTrace))
            {
                text.AppendLine().Append("Stack: ").Append(exception.StackTrace);
            }
        }
        else if (!string.IsNullOrEmpty(result?.Result))
        {
            text.AppendLine().Append(result.Result);
        }

        return new FunctionInvocationException(text.ToString());
    }
}

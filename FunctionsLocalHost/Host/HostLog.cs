using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>The host's log lines, worded like the Functions host's.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Executing 'Functions.{FunctionName}' (Reason='{Reason}', Id={InvocationId})")]
    internal static partial void Executing(ILogger logger, string functionName, string reason, string invocationId);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Executed 'Functions.{FunctionName}' (Succeeded, Id={InvocationId}, Duration={Duration}ms)")]
    internal static partial void Succeeded(ILogger logger, string functionName, string invocationId, long duration);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Executed 'Functions.{FunctionName}' (Failed, Id={InvocationId}, Duration={Duration}ms)")]
    internal static partial void Failed(ILogger logger, Exception exception, string functionName, string invocationId, long duration);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{FunctionList}")]
    internal static partial void Functions(ILogger logger, string functionList);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Writing the outputs of 'Functions.{FunctionName}' (Id={InvocationId}) failed")]
    internal static partial void OutputFailed(ILogger logger, Exception exception, string functionName, string invocationId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Message {MessageId} on queue '{QueueName}' moved to '{PoisonQueueName}': {Reason}")]
    internal static partial void Poisoned(ILogger logger, string messageId, string queueName, string poisonQueueName, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Polling queue '{QueueName}' for 'Functions.{FunctionName}' failed; retrying")]
    internal static partial void PollFailed(ILogger logger, Exception exception, string queueName, string functionName);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Queue '{QueueName}' of 'Functions.{FunctionName}' does not exist; it is polled as an empty queue until it is created (the Functions host creates no trigger queue)")]
    internal static partial void QueueMissing(ILogger logger, string queueName, string functionName);

    [LoggerMessage(EventId = 42, Level = LogLevel.Debug, Message = "Queue '{QueueName}' of 'Functions.{FunctionName}' does not exist; next poll in {Delay} ms")]
    internal static partial void MissingQueuePolled(ILogger logger, string queueName, string functionName, long delay);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Updating message {MessageId} on queue '{QueueName}' failed; it will reappear when its lease ends")]
    internal static partial void CompleteFailed(ILogger logger, Exception exception, string messageId, string queueName);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "{Line}")]
    internal static partial void WorkerOutput(ILogger logger, string line);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "{Line}")]
    internal static partial void WorkerError(ILogger logger, string line);

    [LoggerMessage(EventId = 10, Level = LogLevel.Critical, Message = "The worker process exited with code {ExitCode}; the host stops. Its last output:\n{Output}")]
    internal static partial void WorkerExited(ILogger logger, int exitCode, string output);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The worker sent {Kind} for '{Key}', which nothing is waiting for")]
    internal static partial void UnexpectedWorkerMessage(ILogger logger, string kind, string key);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "These functions have triggers this host does not run, so they never run here: {Functions}")]
    internal static partial void UnsupportedTriggers(ILogger logger, string functions);
}

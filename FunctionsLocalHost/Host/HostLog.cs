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

    [LoggerMessage(EventId = 10, Level = LogLevel.Critical, Message = "The host stops: {Reason}")]
    internal static partial void HostStopping(ILogger logger, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The worker sent {Kind} for '{Key}', which nothing is waiting for")]
    internal static partial void UnexpectedWorkerMessage(ILogger logger, string kind, string key);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "These functions have triggers this host does not run, so they never run here: {Functions}")]
    internal static partial void UnsupportedTriggers(ILogger logger, string functions);

    // The lines below are worded as azure-functions-host and azure-webjobs-sdk word them.
    [LoggerMessage(EventId = 14, Level = LogLevel.Error, Message = "Language Worker Process exited. Pid={Pid}.")]
    internal static partial void WorkerProcessExited(ILogger logger, Exception exception, int pid);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "Language Worker Process exited and needs to be restarted.")]
    internal static partial void IntentionalRestart(ILogger logger);

    [LoggerMessage(EventId = 16, Level = LogLevel.Error, Message = "Starting worker process failed")]
    internal static partial void WorkerStartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "Restarting the worker process ({Errors} of {Threshold} errors within 30 minutes)")]
    internal static partial void Restarting(ILogger logger, int errors, int threshold);

    [LoggerMessage(EventId = 18, Level = LogLevel.Information, Message = "Worker process started and initialized.")]
    internal static partial void WorkerInitialized(ILogger logger);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "Restart of language worker process(es) completed.")]
    internal static partial void RestartCompleted(ILogger logger);

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "Timeout value of {Timeout} exceeded by function 'Functions.{FunctionName}' (Id: '{InvocationId}'). Initiating cancellation.")]
    internal static partial void TimeoutExceeded(ILogger logger, TimeSpan timeout, string functionName, string invocationId);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "A function timeout has occurred. Restarting worker process executing invocationId '{InvocationId}'.")]
    internal static partial void TimeoutRestart(ILogger logger, string invocationId);

    [LoggerMessage(EventId = 22, Level = LogLevel.Error, Message = "Final functionDispatcher state: WorkerProcessRestarting. Initialization timed out and host is shutting down")]
    internal static partial void ReadyWaitTimedOut(ILogger logger);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "The timed-out invocation '{InvocationId}' ended within the grace period; its worker keeps running")]
    internal static partial void TimeoutEndedInGracePeriod(ILogger logger, string invocationId);
}

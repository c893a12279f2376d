using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>The host's log lines, worded like the Functions host's.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Executed 'Functions.{FunctionName}' (Succeeded, Id={InvocationId}, Duration={Duration}ms)")]
    internal static partial void Succeeded(ILogger logger, string functionName, Guid invocationId, long duration);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Executed 'Functions.{FunctionName}' (Failed, Id={InvocationId}, Duration={Duration}ms)")]
    internal static partial void Failed(ILogger logger, Exception exception, string functionName, Guid invocationId, long duration);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{FunctionList}")]
    internal static partial void Functions(ILogger logger, string functionList);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Sending the output of 'Functions.{FunctionName}' (Id={InvocationId}) to queue '{QueueName}' failed")]
    internal static partial void OutputFailed(ILogger logger, Exception exception, string functionName, Guid invocationId, string queueName);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Message {MessageId} on queue '{QueueName}' moved to '{PoisonQueueName}': {Reason}")]
    internal static partial void Poisoned(ILogger logger, string messageId, string queueName, string poisonQueueName, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Polling queue '{QueueName}' for 'Functions.{FunctionName}' failed; retrying")]
    internal static partial void PollFailed(ILogger logger, Exception exception, string queueName, string functionName);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Completing message {MessageId} on queue '{QueueName}' failed; it will reappear when its lease ends")]
    internal static partial void CompleteFailed(ILogger logger, Exception exception, string messageId, string queueName);
}

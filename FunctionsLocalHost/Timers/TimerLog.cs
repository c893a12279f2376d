using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>The timer listeners' log lines, worded as the real host's TimerListener, SingletonListener and SingletonManager word theirs.</summary>
internal static partial class TimerLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Singleton lock acquired ({LockId})")]
    internal static partial void LockAcquired(ILogger logger, string lockId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Unable to acquire Singleton lock ({LockId}).")]
    internal static partial void LockNotAcquired(ILogger logger, string lockId);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Singleton lock released ({LockId})")]
    internal static partial void LockReleased(ILogger logger, string lockId);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Singleton lock renewal failed for blob '{LockId}'; retrying sooner")]
    internal static partial void RenewalFailed(ILogger logger, Exception exception, string lockId);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "Singleton lock renewal failed for blob '{LockId}' with error code {Status}; the listener stops and tries for the lock again")]
    internal static partial void RenewalRefused(ILogger logger, Exception exception, string lockId, int status);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "Singleton lock lost ({LockId}): not renewed within its lease period; the listener stops and tries for the lock again")]
    internal static partial void LockLost(ILogger logger, string lockId);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "Releasing the Singleton lock ({LockId}) failed; it expires at the end of its lease period")]
    internal static partial void ReleaseFailed(ILogger logger, Exception exception, string lockId);

    [LoggerMessage(EventId = 108, Level = LogLevel.Error, Message = "Function '{TimerName}' failed to update the timer trigger status.")]
    internal static partial void StatusUpdateFailed(ILogger logger, Exception exception, string timerName);

    [LoggerMessage(EventId = 109, Level = LogLevel.Debug, Message = "Function '{FunctionName}' initial status: Last='{Last}', Next='{Next}', LastUpdated='{LastUpdated}'")]
    internal static partial void InitialStatus(ILogger logger, string functionName, string? last, string? next, string? lastUpdated);

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "Function '{FunctionName}' is past due on startup. Executing now.")]
    internal static partial void PastDue(ILogger logger, string functionName);

    [LoggerMessage(EventId = 111, Level = LogLevel.Debug, Message = "Function '{FunctionName}' is configured to run on startup. Executing now.")]
    internal static partial void RunOnStartup(ILogger logger, string functionName);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "The next 5 occurrences of the '{FunctionName}' schedule ({Schedule}) will be:{Occurrences}")]
    internal static partial void NextOccurrences(ILogger logger, string functionName, string schedule, string occurrences);

    [LoggerMessage(EventId = 113, Level = LogLevel.Error, Message = "Error occurred during scheduled invocation for '{FunctionName}'.")]
    internal static partial void InvocationError(ILogger logger, Exception exception, string functionName);

    [LoggerMessage(EventId = 114, Level = LogLevel.Error, Message = "Reaching the Storage account for the listener of '{FunctionName}' failed; trying again")]
    internal static partial void StorageFailed(ILogger logger, Exception exception, string functionName);

    [LoggerMessage(EventId = 115, Level = LogLevel.Error, Message = "The timer listener of '{FunctionName}' failed; it lets its lease go and tries again")]
    internal static partial void ListenerFailed(ILogger logger, Exception exception, string functionName);
}

namespace FunctionsLocalHost;

/// <summary>
/// An invocation ran past <c>functionTimeout</c>; the message is azure-webjobs-sdk's FunctionExecutor's
/// (<c>Timeout value of 00:05:00 was exceeded by function: Functions.X</c>).
/// </summary>
internal sealed class FunctionTimeoutException(TimeSpan timeout, string functionName)
    : Exception($"Timeout value of {timeout} was exceeded by function: Functions.{functionName}");

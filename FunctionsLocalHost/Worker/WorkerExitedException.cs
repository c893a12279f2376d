namespace FunctionsLocalHost;

/// <summary>
/// The worker process ended without being asked to, in azure-functions-host's words (WorkerProcess.OnProcessExited:
/// <c>dotnet exited with code 1 (0x1)</c>), with the last lines it wrote.
/// </summary>
internal sealed class WorkerExitedException(string executable, int exitCode, string output)
    : Exception($"{executable} exited with code {exitCode} (0x{exitCode:X})")
{
    public int ExitCode { get; } = exitCode;

    public string Output { get; } = output;
}

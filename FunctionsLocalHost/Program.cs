using System.Globalization;
using System.Runtime.InteropServices;

using FunctionsLocalHost;

// FunctionsLocalHost [--script-root <app output folder>] [--port N]: runs a .NET isolated worker app as `func start` would.
string? scriptRoot = null;
var port = LocalHostOptions.DefaultPort;
for (var i = 0; i < args.Length; i++)
{
    var argument = args[i];
    var (name, value) = argument.Split('=', 2) is [var n, var v] ? (n, (string?)v) : (argument, i + 1 < args.Length ? args[++i] : null);
    switch (name)
    {
        case "--script-root" when value is not null:
            scriptRoot = value;
            break;
        case "--port" or "-p" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed <= 65535:
            port = parsed;
            break;
        default:
            await Console.Error.WriteLineAsync(
                $"Cannot use '{argument}'.{Environment.NewLine}usage: FunctionsLocalHost [--script-root <app output folder>] [--port N (0 picks a free port)]");
            return 2;
    }
}

LocalFunctionsHost host;
try
{
    host = await LocalFunctionsHost.StartAsync(new LocalHostOptions { AppDirectory = scriptRoot ?? Directory.GetCurrentDirectory(), Port = port });
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
{
    await Console.Error.WriteLineAsync($"The host could not start: {ex.Message}");
    return 1;
}

// Ctrl+C or a stop signal stops the listeners, lets running invocations end and then stops the worker; a worker that
// exits is restarted, and the host stops by itself (exit code 1) only past the restart limit.
using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
var stopped = new TaskCompletionSource();
using (stop.Token.Register(stopped.SetResult))
{
    await Task.WhenAny(host.Stopped, stopped.Task);
}

await host.DisposeAsync();
// The host stops by itself only when its worker cannot be kept running (the restart limit): a failure.
return host.Failure is null ? 0 : 1;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// Stands for an app whose configuration is wrong (a missing required setting): it dies before it dials the host.
if (builder.Configuration["Sample:FailAtStart"] is { Length: > 0 } reason)
{
    throw new InvalidOperationException($"The sample app refuses to start: {reason}");
}

// A test switch: once the named file exists, every new worker process dies at start, so its restarts fail.
if (builder.Configuration["Sample:FailAtStartOnceFileExists"] is { Length: > 0 } marker && File.Exists(marker))
{
    throw new InvalidOperationException($"The sample app refuses to start: {marker} exists");
}

// A test switch that plays the CI failure of a port lost at start: the first worker (the one that finds no marker file)
// finds the port its ASP.NET Core integration picked taken by another listener, so its Kestrel cannot bind and it dies.
using var squatter = builder.Configuration["Sample:LoseHttpPortOnce"] is { Length: > 0 } once && !File.Exists(once)
    ? TakeWorkerHttpPort(once)
    : null;

await builder.Build().RunAsync();

static System.Net.Sockets.Socket TakeWorkerHttpPort(string marker)
{
    File.WriteAllText(marker, "the first worker lost its HTTP port");
    // The port the integration chose and will bind (its internal HttpUriProvider, read for this test only).
    var provider = typeof(FunctionsApplicationBuilderAspNetCoreExtensions).Assembly
        .GetType("Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore.HttpUriProvider", throwOnError: true)!;
    var uri = new Uri((string)provider.GetProperty("HttpUriString")!.GetValue(null)!);
    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
    socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, uri.Port));
    socket.Listen();
    return socket;
}

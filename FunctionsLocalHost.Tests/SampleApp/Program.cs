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

await builder.Build().RunAsync();

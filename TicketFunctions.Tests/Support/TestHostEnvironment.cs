using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace TicketFunctions.Tests.Support;

/// <summary>The host environment the app's services see in a test process: a content root (where a relative database path lands) and nothing else.</summary>
internal sealed class TestHostEnvironment(string contentRoot) : IHostEnvironment
{
    public string EnvironmentName { get; set; } = "Development";

    public string ApplicationName { get; set; } = "TicketFunctions";

    public string ContentRootPath { get; set; } = contentRoot;

    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}

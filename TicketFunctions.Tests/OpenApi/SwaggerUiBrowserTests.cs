using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Tests.Support;
using Xunit.Abstractions;

namespace TicketFunctions.Tests.OpenApi;

/// <summary>Swagger UI in headless Chromium (Debian's chromium, driven by playwright-core), against the app over HTTP.</summary>
public sealed class SwaggerUiBrowserTests(AzuriteFixture azurite, Report report, ITestOutputHelper output) : IClassFixture<AzuriteFixture>, IClassFixture<Report>
{
    [Fact]
    public async Task Swagger_UI_at_its_trailing_slash_address_authorizes_runs_me_and_a_protected_write_from_its_example_without_leaving_this_machine()
    {
        Assert.True(File.Exists("/usr/bin/chromium"), "Chromium is missing: apt-get install -y chromium (npm test does it as root).");
        await using var host = await LocalHostApp.StartAsync(azurite);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "screenshots", "swagger-ui.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        var script = Path.Combine(Repository.Root, "TicketFunctions.Tests", "OpenApi", "browser", "swagger-ui.mjs");
        var (code, text) = await Repository.RunAsync(
            "node", [script, host.Client.BaseAddress!.ToString().TrimEnd('/'), screenshot, TestApp.AdminEmail, TestApp.AdminPassword], Repository.Root, timeout: TimeSpan.FromMinutes(3));
        output.WriteLine(text);
        output.WriteLine("screenshot: " + screenshot);
        report.Line("Swagger UI screenshot: " + screenshot);

        Assert.True(code == 0, text);
        Assert.Contains("\"ok\":true", text, StringComparison.Ordinal);
        Assert.True(File.Exists(screenshot));
    }
}

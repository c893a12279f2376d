using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Tests.Support;
using Xunit.Abstractions;

namespace TicketFunctions.Tests.OpenApi;

/// <summary>Swagger UI in headless Chromium (Debian's chromium, driven by playwright-core), against the app over HTTP.</summary>
public sealed class SwaggerUiBrowserTests(AzuriteFixture azurite, Report report, ITestOutputHelper output) : IClassFixture<AzuriteFixture>, IClassFixture<Report>
{
    [Fact]
    public async Task Swagger_UI_shows_every_tag_authorizes_and_runs_me_without_leaving_this_machine()
    {
        Assert.True(File.Exists("/usr/bin/chromium"), "Chromium is missing: apt-get install -y chromium (npm test does it as root).");
        await using var host = await LocalHostApp.StartAsync(azurite);
        var email = $"browser-{Guid.NewGuid():N}@example.com";
        var register = await host.Client.PostAsync(
            "/api/auth/register",
            new StringContent($$"""{"email":"{{email}}","password":"Password-123","fullName":"Browser User"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(201, (int)register.StatusCode);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "screenshots", "swagger-ui.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        var script = Path.Combine(Repository.Root, "TicketFunctions.Tests", "OpenApi", "browser", "swagger-ui.mjs");
        var (code, text) = await Repository.RunAsync(
            "node", [script, host.Client.BaseAddress!.ToString().TrimEnd('/'), screenshot, email, "Password-123"], Repository.Root, timeout: TimeSpan.FromMinutes(3));
        output.WriteLine(text);
        output.WriteLine("screenshot: " + screenshot);
        report.Line("Swagger UI screenshot: " + screenshot);

        Assert.True(code == 0, text);
        Assert.Contains("\"ok\":true", text, StringComparison.Ordinal);
        Assert.True(File.Exists(screenshot));
    }
}

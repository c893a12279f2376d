using System.Net;
using Dapper;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Tests.OpenApi;
using TicketFunctions.Tests.Support;
using Xunit.Abstractions;

namespace TicketFunctions.Tests.Telemetry;

/// <summary>The local dashboard as a developer uses it: the app exports to the Aspire dashboard, a browser finds a payment's trace there.</summary>
public sealed class DashboardBrowserTests(AzuriteFixture azurite, Report report, ITestOutputHelper output) : IClassFixture<AzuriteFixture>, IClassFixture<Report>
{
    [Fact]
    public async Task The_Aspire_dashboard_shows_a_payments_trace_from_its_processing_to_the_confirmation()
    {
        Assert.True(File.Exists("/usr/bin/chromium"), "Chromium is missing: apt-get install -y chromium (npm test does it as root).");
        await PaymentQueues.EmptyAsync(azurite);
        await using var dashboard = await AspireDashboard.StartAsync();
        await using var host = await LocalHostApp.StartAsync(azurite, dashboard.AppSettings());
        var api = new ApiClient(host.Client);
        await api.CreateShowtime(await api.LoginAsAdmin());
        var (token, _) = await api.RegisterAndLogin();
        await using var connection = await host.Db.OpenAsync();
        var showtime = await connection.ExecuteScalarAsync<long>("SELECT max(id) FROM showtimes");
        var booking = (await api.Book(token, showtime, "C5", "C6")).Expect(HttpStatusCode.Created).Id;
        var payment = (await api.Pay(token, booking, "tok_visa")).Expect(HttpStatusCode.Accepted).Id;
        Assert.Equal("SUCCESS", (await api.PollUntil($"api/payments/{payment}", token, p => p.Field("status") != "PENDING", TimeSpan.FromSeconds(30))).Field("status"));
        var traceParent = await connection.ExecuteScalarAsync<string>("SELECT trace_parent FROM payments WHERE id = @payment", new { payment });
        Assert.NotNull(traceParent);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "screenshots", "dashboard-payment-trace.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        var script = Path.Combine(Repository.Root, "TicketFunctions.Tests", "Telemetry", "browser", "dashboard-trace.mjs");
        var (code, text) = await Repository.RunAsync(
            "node", [script, dashboard.Frontend.ToString().TrimEnd('/'), traceParent[3..35], screenshot], Repository.Root, timeout: TimeSpan.FromMinutes(3));
        output.WriteLine(text);
        report.Line("Aspire dashboard screenshot: " + screenshot);

        Assert.True(code == 0, text);
        Assert.Contains("\"ok\":true", text, StringComparison.Ordinal);
        Assert.True(File.Exists(screenshot));
    }
}

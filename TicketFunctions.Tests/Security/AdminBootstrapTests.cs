using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TicketFunctions.Auth;
using TicketFunctions.Data;

namespace TicketFunctions.Tests.Security;

/// <summary>
/// OWASP API5 (function-level authorization): configuring the first admin must not hand the Admin role to whoever
/// self-registered that email first (account pre-hijacking: their password and their live tokens would become an admin's).
/// </summary>
[Collection(SecuritySuite.Name)]
public sealed class AdminBootstrapTests(SecurityHost host)
{
    [Fact]
    public async Task A_self_registered_account_with_the_configured_admin_email_is_not_made_Admin_at_start_up()
    {
        var email = $"boss-{Guid.NewGuid():N}@example.com";
        var (squatterToken, squatterId) = await host.App.RegisterAndLogin(email, "Squatter-Pass-1");

        // The operator now configures that email as the first admin and the app starts again.
        await Seeder(email, "Configured-Admin-9").RunAsync(CancellationToken.None);

        using var asSquatter = await host.App.Get("api/manage/bookings", squatterToken);
        Assert.Equal(HttpStatusCode.Forbidden, asSquatter.StatusCode);
        Assert.Equal("User", await host.Scalar<string>("SELECT role FROM users WHERE id = @squatterId", new { squatterId }));
        var (relogged, _) = await host.App.Login(email, "Squatter-Pass-1");
        using var again = await host.App.Get("api/manage/reports/sales", relogged);
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
        Assert.Equal(0, await host.Scalar<long>("SELECT count(*) FROM users WHERE role = 'Admin' AND normalized_email = lower(@email)", new { email }));
    }

    [Fact]
    public async Task A_configured_admin_email_that_is_free_gets_an_Admin_account_with_the_configured_password()
    {
        var email = $"chief-{Guid.NewGuid():N}@example.com";

        await Seeder(email, "Configured-Admin-9").RunAsync(CancellationToken.None);

        var (token, _) = await host.App.Login(email, "Configured-Admin-9");
        using var response = await host.App.Get("api/manage/bookings", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("api/admin/bookings")]
    [InlineData("api/admin/bookings/1")]
    [InlineData("api/admin/reports/sales")]
    public async Task The_admin_API_is_under_manage_and_nothing_answers_in_the_hosts_reserved_admin_space(string oldPath)
    {
        // The Functions host reserves routes starting with admin or runtime (azure-functions-host
        // src/WebJobs.Script/Host/ScriptHost.cs, ValidateHttpFunction), so the admin API lives under /api/manage.
        var email = $"boss-{Guid.NewGuid():N}@example.com";
        await Seeder(email, "Configured-Admin-9").RunAsync(CancellationToken.None);
        var (token, _) = await host.App.Login(email, "Configured-Admin-9");

        using var old = await host.App.Get(oldPath, token);
        using var current = await host.App.Get(oldPath.Replace("api/admin/", "api/manage/", StringComparison.Ordinal), token);

        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        Assert.NotEqual("application/problem+json", old.Content.Headers.ContentType?.MediaType);
        Assert.Contains(current.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.NotFound });
        Assert.Equal(current.StatusCode == HttpStatusCode.OK ? "application/json" : "application/problem+json", current.Content.Headers.ContentType?.MediaType);
    }

    private AdminSeeder Seeder(string email, string password) => new(
        Options.Create(new AdminOptions { Email = email, Password = password }),
        host.App.Services.GetRequiredService<Db>(),
        host.App.Services.GetRequiredService<Passwords>(),
        TimeProvider.System,
        NullLogger<AdminSeeder>.Instance);
}

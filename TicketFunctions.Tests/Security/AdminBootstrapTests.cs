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

        using var asSquatter = await host.App.Get("api/admin/bookings", squatterToken);
        Assert.Equal(HttpStatusCode.Forbidden, asSquatter.StatusCode);
        Assert.Equal("User", await host.Scalar<string>("SELECT role FROM users WHERE id = @squatterId", new { squatterId }));
        var (relogged, _) = await host.App.Login(email, "Squatter-Pass-1");
        using var again = await host.App.Get("api/admin/reports/sales", relogged);
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
        Assert.Equal(0, await host.Scalar<long>("SELECT count(*) FROM users WHERE role = 'Admin' AND normalized_email = upper(@email)", new { email }));
    }

    [Fact]
    public async Task A_configured_admin_email_that_is_free_gets_an_Admin_account_with_the_configured_password()
    {
        var email = $"chief-{Guid.NewGuid():N}@example.com";

        await Seeder(email, "Configured-Admin-9").RunAsync(CancellationToken.None);

        var (token, _) = await host.App.Login(email, "Configured-Admin-9");
        using var response = await host.App.Get("api/admin/bookings", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private AdminSeeder Seeder(string email, string password) => new(
        Options.Create(new AdminOptions { Email = email, Password = password }),
        host.App.Services.GetRequiredService<Db>(),
        host.App.Services.GetRequiredService<Passwords>(),
        TimeProvider.System,
        NullLogger<AdminSeeder>.Instance);
}

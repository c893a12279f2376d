using System.Net;
using System.Text.RegularExpressions;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Security;

/// <summary>
/// OWASP API8 (security misconfiguration) and the logging cheat sheet: no password, bearer token, signing key or
/// payment token reaches the logs. Scans everything the host and the worker logged for the suite so far (the other
/// classes' hostile requests, forged tokens and payments included), after flows of its own that carry each secret.
/// </summary>
[Collection(SecuritySuite.Name)]
public sealed partial class LogSecrecyTests(SecurityHost host)
{
    [Fact]
    public async Task No_password_token_signing_key_or_payment_token_is_ever_logged()
    {
        const string password = "Secret-Pass-9876";
        var email = $"secrecy-{Guid.NewGuid():N}@example.com";
        using (var registered = await host.App.Post("api/auth/register", new { email, password, fullName = "Log Secrecy" }))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        using (var wrong = await host.App.Post("api/auth/login", new { email, password = password + "-wrong" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // A body that is not JSON, holding the password: the 400 must not echo it into a log line.
        using (var broken = await host.App.Post("api/auth/login", $"{{\"email\":\"{email}\",\"password\":\"{password}\""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        }

        var (token, _) = await host.App.Login(email, password);
        using (var forged = await host.App.Get("api/auth/me", token[..^4] + "AAAA"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        var showtime = await host.NewShowtime();
        var paid = await host.NewPayment(token, await host.NewBooking(token, showtime.Id, "C3"));
        var declined = await host.NewPayment(token, await host.NewBooking(token, showtime.Id, "C4"), "tok_chargeDeclined");
        Assert.Equal("SUCCESS", await SecurityHost.SettledPaymentStatus(host.App.Db, paid));
        Assert.Equal("FAILED", await SecurityHost.SettledPaymentStatus(host.App.Db, declined));

        // The processing's lines are in the log before it is read, so the scan below reads what the flows wrote.
        await Eventually.True(() => Task.FromResult(host.App.Log.Contains($"Payment {declined} is FAILED: card_declined")), "the declined payment's log line");
        var lines = host.App.Log.Lines.ToArray();
        Assert.Contains(lines, l => l.Contains($"Payment {paid} succeeded", StringComparison.Ordinal));

        string[] secrets = [password, password + "-wrong", TestApp.AdminPassword, TestApp.SigningKey, token, host.AdminToken, "tok_visa", "tok_chargeDeclined"];
        var leaks = lines.Where(l => secrets.Any(s => l.Contains(s, StringComparison.Ordinal)) || Jwt().IsMatch(l) || PaymentToken().IsMatch(l)).ToArray();
        Assert.True(leaks.Length == 0, $"{leaks.Length} of {lines.Length} log lines hold a secret:\n{string.Join('\n', leaks.Take(5))}");
    }

    // A JWS compact token's header and payload (base64url JSON objects start eyJ).
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}")]
    private static partial Regex Jwt();

    // The simulated gateway's tokens; a real provider's are opaque too, and never logged.
    [GeneratedRegex(@"\btok_[A-Za-z0-9]+")]
    private static partial Regex PaymentToken();
}

using System.Net;
using Dapper;
using TicketFunctions.Auth;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Auth;

/// <summary>
/// Failed logins are throttled in a window per email and client address, with a higher ceiling per email from every
/// address (OWASP API2:2023, OWASP Authentication Cheat Sheet), the same for unknown emails.
/// </summary>
public sealed class LoginThrottleTests(Report report) : IClassFixture<Report>
{
    private static readonly Dictionary<string, string?> ThreeFailures = new()
    {
        ["Login:MaxFailures"] = "3",
        ["Login:FailureWindow"] = "00:15:00",
    };

    [Fact]
    public async Task After_the_allowed_failures_even_the_right_password_answers_429_with_Retry_After_until_the_window_ends()
    {
        await using var app = await TestApp.StartAsync(ThreeFailures);
        await app.RegisterAndLogin("kim@example.com");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(401, (await Login(app, "kim@example.com", "Wrong-password-1")).Status);
        }

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var throttled = await Login(app, "kim@example.com", "Password-123");

        Assert.Equal(429, throttled.Status);
        Assert.True(throttled.IsProblem);
        Assert.Equal("600", throttled.Headers.RetryAfter.ToString());

        app.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(200, (await Login(app, "kim@example.com", "Password-123")).Status);
    }

    [Fact]
    public async Task A_throttled_login_spends_no_password_hash()
    {
        await using var app = await TestApp.StartAsync(ThreeFailures);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(401, (await Login(app, "ghost@example.com", "Password-123")).Status);
        }

        var passwords = app.Get<Passwords>();
        var before = passwords.Verifications;

        Assert.Equal(429, (await Login(app, "ghost@example.com", "Password-123")).Status);
        Assert.Equal(before, passwords.Verifications);
    }

    [Fact]
    public async Task An_unknown_email_is_throttled_like_a_known_one_so_the_answer_tells_nothing()
    {
        await using var app = await TestApp.StartAsync(ThreeFailures);
        await app.RegisterAndLogin("known@example.com");
        for (var i = 0; i < 3; i++)
        {
            await Login(app, "known@example.com", "Wrong-password-1");
            await Login(app, "unknown@example.com", "Wrong-password-1");
        }

        var known = await Login(app, "known@example.com", "Wrong-password-1");
        var unknown = await Login(app, "UNKNOWN@example.com", "Wrong-password-1");

        Assert.Equal((429, known.Body), (unknown.Status, unknown.Body));
    }

    [Fact]
    public async Task A_successful_login_starts_the_count_over_and_other_emails_are_not_affected()
    {
        await using var app = await TestApp.StartAsync(ThreeFailures);
        await app.RegisterAndLogin("ana@example.com");
        await app.RegisterAndLogin("bo@example.com");
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal(401, (await Login(app, "ana@example.com", "Wrong-password-1")).Status);
            Assert.Equal(401, (await Login(app, "ana@example.com", "Wrong-password-1")).Status);
            Assert.Equal(200, (await Login(app, "ana@example.com", "Password-123")).Status);
        }

        await using var connection = await app.Db.OpenAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM login_failures WHERE client_address <> '*'"));
        for (var i = 0; i < 3; i++)
        {
            await Login(app, "ana@example.com", "Wrong-password-1");
        }

        Assert.Equal(200, (await Login(app, "bo@example.com", "Password-123")).Status);
    }

    [Fact]
    public async Task Forty_concurrent_wrong_passwords_for_one_email_spend_at_most_MaxFailures_hash_checks()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Login:MaxFailures"] = "10" });
        await app.RegisterAndLogin("target@example.com");
        var passwords = app.Get<Passwords>();
        var before = passwords.Verifications;

        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 40).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return Login(app, "target@example.com", "Wrong-password-1");
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(attempts);

        var checks = passwords.Verifications - before;
        report.Line($"40 concurrent wrong passwords, Login__MaxFailures 10: {checks} hash verifications, {answers.Count(a => a.Status == 401)} x 401, {answers.Count(a => a.Status == 429)} x 429");
        Assert.True(checks <= 10, $"{checks} hash verifications");
        Assert.Equal(10, answers.Count(a => a.Status == 401));
        Assert.Equal(30, answers.Count(a => a.Status == 429));
    }

    [Fact]
    public async Task A_strangers_50_failures_from_one_address_leave_the_owner_able_to_log_in_from_another()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterAndLogin("owner@example.com");
        var answers = new List<int>();
        for (var i = 0; i < 50; i++)
        {
            answers.Add((await Login(app, "owner@example.com", $"Guess-{i:D4}", Stranger)).Status);
        }

        var owner = await Login(app, "owner@example.com", "Password-123", Owner);
        var strangerAgain = await Login(app, "owner@example.com", "Password-123", Stranger);

        report.Line($"a stranger's 50 failed logins from one address: {answers.Count(a => a == 401)} x 401, {answers.Count(a => a == 429)} x 429; the owner from another address: {owner.Status}");
        Assert.Equal(10, answers.Count(a => a == 401));
        Assert.Equal(40, answers.Count(a => a == 429));
        Assert.Equal(200, owner.Status);
        Assert.Equal(429, strangerAgain.Status);
    }

    [Fact]
    public async Task Retry_After_is_the_time_until_the_addresss_window_ends_and_a_try_then_succeeds()
    {
        await using var app = await TestApp.StartAsync(ThreeFailures);
        await app.RegisterAndLogin("wait@example.com");
        for (var i = 0; i < 3; i++)
        {
            await Login(app, "wait@example.com", "Wrong-password-1", Stranger);
        }

        app.Clock.Advance(TimeSpan.FromSeconds(100));
        var refused = await Login(app, "wait@example.com", "Password-123", Stranger);
        var wait = TimeSpan.FromSeconds(int.Parse(refused.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(429, refused.Status);
        Assert.Equal(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(100), wait);
        app.Clock.Advance(wait - TimeSpan.FromSeconds(1));
        Assert.Equal(429, (await Login(app, "wait@example.com", "Password-123", Stranger)).Status);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await Login(app, "wait@example.com", "Password-123", Stranger)).Status);
    }

    [Fact]
    public async Task Guessing_spread_over_many_addresses_stops_at_the_per_email_ceiling()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Login:MaxFailures"] = "3",
            ["Login:MaxFailuresPerEmail"] = "12",
        });
        await app.RegisterAndLogin("wide@example.com");
        var answers = new List<int>();
        for (var address = 1; address <= 10; address++)
        {
            for (var i = 0; i < 3; i++)
            {
                answers.Add((await Login(app, "wide@example.com", "Wrong-password-1", IPAddress.Parse($"198.51.100.{address}"))).Status);
            }
        }

        // Twelve guesses in all got a password check; the rest of the spread was refused without one.
        Assert.Equal(12, answers.Count(a => a == 401));
        Assert.Equal(18, answers.Count(a => a == 429));
        var fromNewAddress = await Login(app, "wide@example.com", "Password-123", IPAddress.Parse("198.51.100.200"));
        Assert.Equal(429, fromNewAddress.Status);
        Assert.Contains("many addresses", fromNewAddress.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IPv6_addresses_of_one_64_block_share_one_count()
    {
        await using var app = await TestApp.StartAsync(ThreeFailures);
        await app.RegisterAndLogin("six@example.com");
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(401, (await Login(app, "six@example.com", "Wrong-password-1", IPAddress.Parse($"2001:db8:1:2::{i:x}"))).Status);
        }

        Assert.Equal(429, (await Login(app, "six@example.com", "Password-123", IPAddress.Parse("2001:db8:1:2:ffff::9"))).Status);
        Assert.Equal(200, (await Login(app, "six@example.com", "Password-123", IPAddress.Parse("2001:db8:1:3::1"))).Status);
    }

    [Fact]
    public async Task A_login_refused_503_because_hashing_is_saturated_is_not_counted_as_a_failure()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Login:MaxFailures"] = "3",
            ["Passwords:Concurrency"] = "1",
            ["Passwords:QueueTimeout"] = "00:00:01",
        });
        await app.RegisterAndLogin("busy@example.com");
        var work = app.Get<PasswordWork>();

        // The one hashing slot is taken until the test lets it go, so each login waits its second and is refused.
        using var release = new ManualResetEventSlim();
        var blocker = work.RunAsync(() => release.Wait(TimeSpan.FromSeconds(30)), CancellationToken.None);
        await Eventually.True(() => Task.FromResult(work.Admitted == 1), "the blocking hash holds the one slot");
        var refused = new List<TestResponse>();
        for (var i = 0; i < 5; i++)
        {
            refused.Add(await Login(app, "busy@example.com", "Wrong-password-1", Stranger));
        }

        release.Set();
        await blocker;

        Assert.All(refused, r => Assert.Equal(503, r.Status));
        Assert.All(refused, r => Assert.True(r.IsProblem));
        Assert.All(refused, r => Assert.True(int.Parse(r.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1));
        await using var connection = await app.Db.OpenAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT coalesce(sum(failures), 0) FROM login_failures"));
        Assert.Equal(200, (await Login(app, "busy@example.com", "Password-123", Stranger)).Status);
    }

    private static readonly IPAddress Stranger = IPAddress.Parse("203.0.113.66");
    private static readonly IPAddress Owner = IPAddress.Parse("198.51.100.7");

    private static Task<TestResponse> Login(TestApp app, string email, string password, IPAddress? from = null)
    {
        var request = app.Request("POST", "/api/auth/login", new { email, password });
        request.HttpContext.Connection.RemoteIpAddress = from;
        return app.Invoke<AuthFunctions>(nameof(AuthFunctions.Login), request, (f, r) => f.Login(r));
    }
}

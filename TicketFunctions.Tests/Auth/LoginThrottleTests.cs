using Dapper;
using TicketFunctions.Auth;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Auth;

/// <summary>Failed logins per email are throttled in a window (OWASP API2:2023), the same for unknown emails.</summary>
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
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM login_failures"));
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

    private static Task<TestResponse> Login(TestApp app, string email, string password)
        => app.Invoke<AuthFunctions>(nameof(AuthFunctions.Login), app.Request("POST", "/api/auth/login", new { email, password }), (f, r) => f.Login(r));
}

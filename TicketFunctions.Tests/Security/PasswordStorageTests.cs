using System.Buffers.Binary;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TicketFunctions.Auth;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Security;

/// <summary>OWASP password storage: only slow salted hashes are stored, and login costs one hash whether or not the email exists.</summary>
[Collection(SecuritySuite.Name)]
public sealed class PasswordStorageTests(SecurityHost host)
{
    private const int MinIterations = 210_000;

    [Fact]
    public async Task Passwords_are_stored_only_as_PBKDF2_HMAC_SHA512_v3_hashes_with_at_least_210000_iterations_and_a_fresh_salt()
    {
        const string password = "Correct-Horse-Battery-42";
        var emails = new[] { "hash-one@example.com", "hash-two@example.com" };
        foreach (var email in emails)
        {
            using var response = await host.App.Post("api/auth/register", new { email, password, fullName = "Hash Check" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var hashes = new List<string>();
        foreach (var email in emails.Append("admin@example.com"))
        {
            var row = await host.Scalar<string>("SELECT password_hash FROM users WHERE email = @email", new { email });
            Assert.NotNull(row);
            hashes.Add(row);
        }

        var iterations = int.MaxValue;
        foreach (var stored in hashes)
        {
            Assert.DoesNotContain(password, stored, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Admin-Password-1", stored, StringComparison.OrdinalIgnoreCase);
            var bytes = Convert.FromBase64String(stored);
            Assert.Equal(0x01, bytes[0]);                                               // format marker: Identity v3
            Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1)));    // PRF: HMAC-SHA512
            var count = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5));
            var saltLength = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(9));
            Assert.True(count >= MinIterations, $"{count} iterations");
            Assert.True(saltLength >= 16, $"a {saltLength}-byte salt");
            Assert.True(bytes.Length - 13 - saltLength >= 32, "a subkey of at least 256 bits");
            iterations = Math.Min(iterations, count);
        }

        // The same password twice gives two different hashes: the salt is random.
        Assert.NotEqual(hashes[0], hashes[1]);
        host.Figures.Add("pbkdf2Iterations", iterations);
    }

    [Fact]
    public async Task Every_failed_login_runs_exactly_one_slow_hash_whether_or_not_the_email_exists()
    {
        // In process, where the app's own Passwords service counts its verifications.
        await using var app = await TestApp.StartAsync();
        await app.RegisterAndLogin("timing@example.com", "Password-123");
        var passwords = app.Get<Passwords>();
        var unknownEmail = new (string Email, string Password)[]
        {
            ("nobody@example.com", "Password-123"),
            ("NOBODY-ELSE@example.com", "x"),
            (new string('a', 300) + "@example.com", "Password-123"),
            ("nobody@example.com", new string('p', 500)),
            ("' OR 1=1 --", "Password-123"),
        };
        var knownEmail = new (string Email, string Password)[]
        {
            ("timing@example.com", "Password-999"),
            ("TIMING@example.com", new string('p', 500)),
            ("timing@example.com", "Password-123"),
        };

        var hashed = 0;
        var answers = new List<string>();
        foreach (var (email, password) in unknownEmail.Concat(knownEmail))
        {
            var before = passwords.Verifications;
            var response = await app.Call(() => app.Function<AuthFunctions>().Login(app.Request("POST", "/api/auth/login", new { email, password })));
            var cost = passwords.Verifications - before;
            Assert.True(cost == 1, $"login as {email[..Math.Min(email.Length, 30)]}: {cost} hash verifications");
            hashed += unknownEmail.Contains((email, password)) ? 1 : 0;
            answers.Add($"{response.Status} {response.Body}");
        }

        // Every failure answers the very same 401; only the right password (the last) succeeds.
        Assert.Single(answers.SkipLast(1).Distinct());
        Assert.StartsWith("401 ", answers[0], StringComparison.Ordinal);
        Assert.StartsWith("200 ", answers[^1], StringComparison.Ordinal);
        host.Figures.Add("loginCases", unknownEmail.Length);
        host.Figures.Add("loginHashed", hashed);
    }
}

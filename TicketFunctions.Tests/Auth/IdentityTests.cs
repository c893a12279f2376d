using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.IdentityModel.Tokens;
using TicketFunctions.Auth;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Auth;

/// <summary>
/// Who an account is: emails compared as RFC 8265 (PRECIS) and Unicode TS #39 advise, ids never given twice, and a
/// token valid only for the account it was issued for, parsed in its one canonical form.
/// </summary>
public sealed class IdentityTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private AuthFunctions Auth => _app.Function<AuthFunctions>();

    private Task<TestResponse> Register(string email)
        => _app.Call(() => Auth.Register(_app.Request("POST", "/api/auth/register", new { email, password = "Password-123", fullName = "Look Alike" })));

    private Task<TestResponse> Me(string token)
        => _app.Invoke<AuthFunctions>(nameof(AuthFunctions.Me), _app.Request("GET", "/api/auth/me", token: token), (f, r) => f.Me(r));

    public static TheoryData<string, string> Invisible => new()
    {
        { "admin@example.com\u200B", "zero-width space at the end" },
        { "ad\u200Dmin@example.com", "zero-width joiner" },
        { "\u202Eadmin@example.com", "right-to-left override" },
        { "admin\u2066@example.com", "left-to-right isolate" },
        { "ad\u00ADmin@example.com", "soft hyphen" },
        { "\uFEFFadmin@example.com", "byte order mark" },
        { "admin@example.com.", "trailing dot" },
        { "admin@example.com\uFF0E", "trailing fullwidth dot" },
        { "admin@exa..mple.com", "two dots in the domain" },
        { "admin@\u3000example.com", "ideographic space" },
    };

    [Theory]
    [MemberData(nameof(Invisible))]
    public async Task An_email_with_an_invisible_or_formatting_character_or_a_trailing_dot_answers_400(string email, string what)
    {
        var response = await Register(email);

        Assert.True(response.Status == 400, $"{what}: {response}");
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("email", out _), what);
        Assert.Equal(1L, await Users());
    }

    public static TheoryData<string, string> LookAlikes => new()
    {
        { "ADMIN@EXAMPLE.COM", "upper case" },
        { "\uFF41\uFF44\uFF4D\uFF49\uFF4E@example.com", "fullwidth letters" },
        { "\u0430dmin@ex\u0430mple.com", "Cyrillic a" },
        { "admin@\u0435xample.com", "Cyrillic e" },
        { "adm\u0456n@example.com", "Cyrillic i" },
        { "\u03B1dmin@example.com", "Greek alpha" },
        { "admi\u0144@example.com", "n with an acute accent, composed" },
        { "admin\u0301@example.com", "a combining acute accent" },
        { "a\u0335dmin@example.com", "a combining short stroke overlay" },
        { "admin@examp1e.com", "digit one for l" },
        { "\u212Admin@example.com", "no, a Kelvin sign" },
    };

    [Theory]
    [MemberData(nameof(LookAlikes))]
    public async Task An_email_that_reads_like_an_existing_accounts_answers_409_email_taken(string email, string what)
    {
        var response = await Register(email);

        Assert.True(response.Status is 409 or 201, $"{what}: {response}");
        if (what.StartsWith("no,", StringComparison.Ordinal))
        {
            // The Kelvin sign folds to the letter k: "kdmin" is another name, and may register.
            Assert.Equal(201, response.Status);
            return;
        }

        Assert.True(response.Status == 409, $"{what}: {response}");
        Assert.Equal("email_taken", response.Json.GetProperty("code").GetString());
        Assert.Equal(1L, await Users());
    }

    [Fact]
    public async Task The_fullwidth_form_of_an_email_logs_in_to_its_account()
    {
        var login = await _app.Call(() => Auth.Login(_app.Request("POST", "/api/auth/login", new { email = "\uFF41\uFF44\uFF4D\uFF49\uFF4E@EXAMPLE.COM", password = TestApp.AdminPassword })));

        Assert.Equal(200, login.Status);
        Assert.Equal(TestApp.AdminEmail, login.Json.GetProperty("user").GetProperty("email").GetString());
    }

    [Fact]
    public async Task A_deleted_newest_users_id_is_never_given_to_the_next_registrant_and_its_token_stays_refused()
    {
        var (goneToken, goneId) = await _app.RegisterAndLogin("gone@example.com");
        Assert.Equal(200, (await Me(goneToken)).Status);
        await using (var connection = await _app.Db.OpenAsync())
        {
            await connection.ExecuteAsync("DELETE FROM users WHERE id = @goneId", new { goneId });
        }

        var (nextToken, nextId) = await _app.RegisterAndLogin("next@example.com");

        Assert.True(nextId > goneId, $"the next registrant got id {nextId} after {goneId} was deleted");
        Assert.Equal(401, (await Me(goneToken)).Status);
        Assert.Equal(200, (await Me(nextToken)).Status);
    }

    [Fact]
    public async Task A_token_of_a_deleted_account_is_refused_even_when_another_account_is_given_its_id()
    {
        var (oldToken, id) = await _app.RegisterAndLogin("replaced@example.com");
        await using (var connection = await _app.Db.OpenAsync())
        {
            // As an operator restoring a row by hand might: the same id, another account (a new security stamp).
            await connection.ExecuteAsync("DELETE FROM users WHERE id = @id", new { id });
            await connection.ExecuteAsync(
                "INSERT INTO users (id, email, normalized_email, email_skeleton, full_name, password_hash, role, created_at) VALUES (@id, 'other@example.com', 'other@example.com', 'other@example.com', 'Other', 'x', 'User', 0)",
                new { id });
        }

        var response = await Me(oldToken);

        Assert.Equal(401, response.Status);
        Assert.True(response.IsProblem);
    }

    [Theory]
    [InlineData("01")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1.0")]
    [InlineData("0x1")]
    public async Task A_sub_that_is_not_the_ids_one_decimal_form_answers_401(string sub)
    {
        var (token, id) = await _app.RegisterAndLogin();
        var claims = ForgedTokens.Claims(id, _app.Clock.GetUtcNow(), stamp: ForgedTokens.StampOf(token));
        var canonical = ForgedTokens.Sign(claims, TestApp.SigningKey);
        claims["sub"] = sub.Replace("1", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        Assert.Equal(200, (await Me(canonical)).Status);
        Assert.Equal(401, (await Me(ForgedTokens.Sign(claims, TestApp.SigningKey))).Status);
    }

    [Fact]
    public async Task A_signature_with_padding_or_another_spelling_of_its_bytes_answers_401()
    {
        var (token, _) = await _app.RegisterAndLogin();
        var parts = token.Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);

        // 32 bytes are 43 characters; the last one carries 2 unused bits, which another character sets.
        var last = parts[2][^1];
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var sibling = alphabet[alphabet.IndexOf(last, StringComparison.Ordinal) | 1];
        var respelled = $"{parts[0]}.{parts[1]}.{parts[2][..^1]}{sibling}";
        Assert.Equal(signature, Convert.FromBase64String(respelled.Split('.')[2].Replace('-', '+').Replace('_', '/') + "="));

        Assert.Equal(200, (await Me(token)).Status);
        Assert.Equal(401, (await Me(token + "=")).Status);
        Assert.Equal(401, (await Me(respelled)).Status);
        Assert.Equal(401, (await Me($"{parts[0]}.{parts[1]}.{Convert.ToBase64String(signature)}")).Status);
    }

    [Fact]
    public void The_skeleton_maps_the_lookalikes_of_the_confusables_table_and_drops_combining_marks()
    {
        Assert.Equal(EmailIdentity.Skeleton("admin@example.com"), EmailIdentity.Skeleton(EmailIdentity.Normalize("\u0430dm\u0456n@\u0435x\u0430mple.c\u043Em")));
        Assert.Equal(EmailIdentity.Skeleton("paypal@example.com"), EmailIdentity.Skeleton(EmailIdentity.Normalize("\u0440\u0430y\u0440\u0430l@example.com")));
        Assert.Equal(EmailIdentity.Skeleton("jose@example.com"), EmailIdentity.Skeleton(EmailIdentity.Normalize("jos\u00E9@example.com")));
        Assert.NotEqual(EmailIdentity.Skeleton("ann@example.com"), EmailIdentity.Skeleton("anne@example.com"));
        Assert.Equal("admin@example.com", EmailIdentity.Normalize("\uFF21\uFF24\uFF2D\uFF29\uFF2E@\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45.com"));
    }

    private async Task<long> Users()
    {
        await using var connection = await _app.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM users");
    }
}

using System.Text.Json;
using Dapper;
using TicketFunctions.Auth;
using TicketFunctions.Data;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Auth;

public sealed class AuthFunctionsTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private AuthFunctions Auth => _app.Function<AuthFunctions>();

    private Task<TestResponse> Register(object body) => _app.Call(() => Auth.Register(_app.Request("POST", "/api/auth/register", body)));

    private Task<TestResponse> Login(object body) => _app.Call(() => Auth.Login(_app.Request("POST", "/api/auth/login", body)));

    private Task<TestResponse> Me(string? token)
        => _app.Invoke<AuthFunctions>(nameof(AuthFunctions.Me), _app.Request("GET", "/api/auth/me", token: token), (f, r) => f.Me(r));

    [Fact]
    public async Task Register_answers_201_with_the_user_and_role_User()
    {
        var response = await Register(new { email = "ada@example.com", password = "Password-123", fullName = "Ada Lovelace" });

        Assert.Equal(201, response.Status);
        Assert.Equal("/api/auth/me", response.Headers.Location.ToString());
        Assert.True(response.Json.GetProperty("id").GetInt64() > 0);
        Assert.Equal("ada@example.com", response.Json.GetProperty("email").GetString());
        Assert.Equal("Ada Lovelace", response.Json.GetProperty("fullName").GetString());
        Assert.Equal("User", response.Json.GetProperty("role").GetString());
        Assert.Equal("2026-11-25T12:00:00Z", response.Json.GetProperty("createdAt").GetString());
        Assert.False(response.Json.TryGetProperty("passwordHash", out _));
    }

    [Fact]
    public async Task Registering_an_email_twice_in_any_case_answers_409_and_keeps_one_account()
    {
        await Register(new { email = "grace@example.com", password = "Password-123", fullName = "Grace" });

        var second = await Register(new { email = "GRACE@Example.com", password = "Password-456", fullName = "Other" });

        Assert.Equal(409, second.Status);
        Assert.True(second.IsProblem);
        Assert.Equal("email_taken", second.Json.GetProperty("code").GetString());
        await using var db = await _app.Db.OpenAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE normalized_email = 'grace@example.com'"));
    }

    [Theory]
    [InlineData("not-an-email", "Password-123", "Name", "email")]
    [InlineData("a@example.com", "short", "Name", "password")]
    [InlineData("a@example.com", "Password-123", "", "fullName")]
    [InlineData("a@example.com", "Password-123", "Bad\u0007Name", "fullName")]
    public async Task Register_with_an_invalid_field_answers_400_naming_the_field(string email, string password, string fullName, string field)
    {
        var response = await Register(new { email, password, fullName });

        Assert.Equal(400, response.Status);
        Assert.True(response.IsProblem);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out _), response.Body);
        await AssertNoUsersBesidesAdmin();
    }

    [Fact]
    public async Task A_password_over_128_characters_is_refused()
    {
        var response = await Register(new { email = "long@example.com", password = new string('x', 129), fullName = "Long" });

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("password", out _));
    }

    [Theory]
    [InlineData("{\"email\": \"a@example.com\", \"password\": ")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"email\": 42, \"password\": \"Password-123\", \"fullName\": \"X\"}")]
    [InlineData("{\"password\": \"Password-123\", \"fullName\": \"X\"}")]
    [InlineData("{\"email\": \"a@example.com\", \"password\": \"Password-123\", \"fullName\": \"X\", \"role\": \"Admin\"}")]
    [InlineData("{\"email\": null, \"password\": \"Password-123\", \"fullName\": \"X\"}")]
    [InlineData("")]
    public async Task Malformed_or_mistyped_json_answers_400_problem(string body)
    {
        var response = await Register(body);

        Assert.Equal(400, response.Status);
        Assert.True(response.IsProblem, response.ToString());
        Assert.DoesNotContain("System.", response.Body, StringComparison.Ordinal);
        await AssertNoUsersBesidesAdmin();
    }

    [Theory]
    [InlineData("{\"email\": 42, \"password\": \"Password-123\", \"fullName\": \"X\"}", "email")]
    [InlineData("{\"email\": null, \"password\": \"Password-123\", \"fullName\": \"X\"}", "email")]
    [InlineData("{\"email\": \"a@example.com\", \"password\": \"Password-123\", \"fullName\": \"X\", \"role\": \"Admin\"}", "role")]
    [InlineData("{\"password\": \"Password-123\", \"fullName\": \"X\"}", "email")]
    [InlineData("{\"email\": \"a@example.com\"}", "password,fullName")]
    [InlineData("{\"email\": \"a@example.com\", \"password\": ", "password")]
    [InlineData("[1, 2, 3]", "$")]
    public async Task A_body_the_serializer_refuses_keys_its_errors_by_field_name_as_other_field_errors_are(string body, string fields)
    {
        var response = await Register(body);

        Assert.Equal(400, response.Status);
        var errors = response.Json.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal);
        Assert.Equal(fields.Split(',').Order(StringComparer.Ordinal), errors);
    }

    [Fact]
    public async Task A_body_over_64_KiB_answers_413()
    {
        var response = await Register(new { email = "big@example.com", password = "Password-123", fullName = new string('x', 70_000) });

        Assert.Equal(413, response.Status);
        Assert.True(response.IsProblem);
    }

    [Fact]
    public async Task A_body_that_is_not_json_answers_415()
    {
        var request = _app.Request("POST", "/api/auth/register", new { email = "x@example.com", password = "Password-123", fullName = "X" });
        request.ContentType = "text/plain";

        var response = await _app.Call(() => Auth.Register(request));

        Assert.Equal(415, response.Status);
        Assert.True(response.IsProblem);
    }

    [Fact]
    public async Task Login_answers_a_bearer_token_with_the_contract_claims()
    {
        var registered = await Register(new { email = "kay@example.com", password = "Password-123", fullName = "Kay" });

        var response = await Login(new { email = "KAY@example.com", password = "Password-123" });

        Assert.Equal(200, response.Status);
        Assert.Equal("Bearer", response.Json.GetProperty("tokenType").GetString());
        Assert.Equal(3600, response.Json.GetProperty("expiresIn").GetInt64());
        Assert.Equal("kay@example.com", response.Json.GetProperty("user").GetProperty("email").GetString());
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(response.Json.GetProperty("accessToken").GetString());
        Assert.Equal("HS256", token.Alg);
        Assert.Equal(registered.Json.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), token.Subject);
        Assert.Equal("kay@example.com", token.GetClaim("email").Value);
        Assert.Equal("User", token.GetClaim("role").Value);
        Assert.Equal("TicketFunctions", token.Issuer);
        Assert.Equal(["TicketFunctions"], token.Audiences);
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.Equal(_app.Clock.GetUtcNow().UtcDateTime, token.IssuedAt);
        Assert.Equal(_app.Clock.GetUtcNow().UtcDateTime.AddHours(1), token.ValidTo);
    }

    [Fact]
    public async Task Login_answers_the_same_401_for_an_unknown_email_and_a_wrong_password()
    {
        await Register(new { email = "lin@example.com", password = "Password-123", fullName = "Lin" });

        var unknown = await Login(new { email = "nobody@example.com", password = "Password-123" });
        var wrong = await Login(new { email = "lin@example.com", password = "Password-999" });

        Assert.Equal(401, unknown.Status);
        Assert.Equal(401, wrong.Status);
        Assert.Equal(unknown.Body, wrong.Body);
        Assert.Equal(unknown.Headers.WWWAuthenticate.ToString(), wrong.Headers.WWWAuthenticate.ToString());
    }

    [Fact]
    public async Task Me_answers_the_caller()
    {
        var (token, userId) = await _app.RegisterAndLogin("me@example.com");

        var response = await Me(token);

        Assert.Equal(200, response.Status);
        Assert.Equal(userId, response.Json.GetProperty("id").GetInt64());
        Assert.Equal("me@example.com", response.Json.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Me_without_a_token_answers_401_problem_with_WWW_Authenticate_Bearer()
    {
        var response = await Me(token: null);

        Assert.Equal(401, response.Status);
        Assert.True(response.IsProblem);
        Assert.StartsWith("Bearer", response.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(401, response.Json.GetProperty("status").GetInt32());
    }

    public static TheoryData<string> BadTokens() => new()
    {
        "alg none",
        "tampered signature",
        "role edited to Admin",
        "wrong issuer",
        "wrong audience",
        "another key",
        "expired",
        "not yet valid",
        "HS512 instead of HS256",
        "missing sub",
        "garbage",
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_token_that_is_not_exactly_ours_answers_401(string attack)
    {
        var (token, userId) = await _app.RegisterAndLogin();
        var now = _app.Clock.GetUtcNow();
        var key = TestApp.SigningKey;
        var stamp = ForgedTokens.StampOf(token);
        var forged = attack switch
        {
            "alg none" => ForgedTokens.Unsigned(ForgedTokens.Claims(userId, now, stamp: stamp)),
            "tampered signature" => token[..^4] + (token.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"),
            "role edited to Admin" => ForgedTokens.WithPayload(token, p => { p["role"] = JsonSerializer.SerializeToElement("Admin"); p["sub"] = JsonSerializer.SerializeToElement("1"); return p; }),
            "wrong issuer" => ForgedTokens.Sign(ForgedTokens.Claims(userId, now, issuer: "Elsewhere", stamp: stamp), key),
            "wrong audience" => ForgedTokens.Sign(ForgedTokens.Claims(userId, now, audience: "Elsewhere", stamp: stamp), key),
            "another key" => ForgedTokens.Sign(ForgedTokens.Claims(userId, now, stamp: stamp), "another-key-0123456789-abcdefghijklmnopqrstuvwxyz"),
            "expired" => ForgedTokens.Sign(ForgedTokens.Claims(userId, now.AddHours(-3), stamp: stamp), key),
            "not yet valid" => ForgedTokens.Sign(ForgedTokens.Claims(userId, now.AddHours(2), stamp: stamp), key),
            "HS512 instead of HS256" => ForgedTokens.Sign(ForgedTokens.Claims(userId, now, stamp: stamp), key + key, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha512),
            "missing sub" => ForgedTokens.Sign(ForgedTokens.Claims(userId, now, stamp: stamp).Where(c => c.Key != "sub").ToDictionary(), key),
            _ => "not.a.token",
        };

        var response = await Me(forged);

        Assert.Equal(401, response.Status);
        Assert.True(response.IsProblem);
        Assert.StartsWith("Bearer", response.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_with_our_key_is_accepted_so_the_attacks_above_fail_for_their_own_reason()
    {
        var (token, userId) = await _app.RegisterAndLogin();

        var response = await Me(ForgedTokens.Sign(ForgedTokens.Claims(userId, _app.Clock.GetUtcNow(), stamp: ForgedTokens.StampOf(token)), TestApp.SigningKey));

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task A_token_expires_after_its_lifetime_plus_at_most_30_seconds_of_skew()
    {
        var (token, _) = await _app.RegisterAndLogin();

        _app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(29));
        Assert.Equal(200, (await Me(token)).Status);

        _app.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(401, (await Me(token)).Status);
    }

    [Fact]
    public async Task A_token_of_a_user_who_no_longer_exists_answers_401()
    {
        var (token, userId) = await _app.RegisterAndLogin();
        await using (var db = await _app.Db.OpenAsync())
        {
            await db.ExecuteAsync("DELETE FROM users WHERE id = @userId", new { userId });
        }

        Assert.Equal(401, (await Me(token)).Status);
    }

    [Fact]
    public async Task The_configured_admin_exists_once_and_can_log_in_as_Admin()
    {
        await _app.Services.InitializeDatabaseAsync();
        var (token, _) = await _app.LoginAsAdmin();

        var me = await Me(token);

        Assert.Equal("Admin", me.Json.GetProperty("role").GetString());
        await using var db = await _app.Db.OpenAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE role = 'Admin'"));
    }

    [Fact]
    public async Task Passwords_are_stored_only_as_PBKDF2_HMAC_SHA512_hashes_with_the_configured_iterations()
    {
        await Register(new { email = "hash@example.com", password = "Password-123", fullName = "Hash" });

        await using var db = await _app.Db.OpenAsync();
        var stored = await db.ExecuteScalarAsync<string>("SELECT password_hash FROM users WHERE email = 'hash@example.com'");
        Assert.DoesNotContain("Password-123", stored!, StringComparison.Ordinal);
        var bytes = Convert.FromBase64String(stored!);
        Assert.Equal(0x01, bytes[0]);
        Assert.Equal(2u, ReadUInt32BigEndian(bytes, 1));
        // The test app's count; production's 210,000 default is PasswordOptionsTests' and the security suite's to prove.
        Assert.Equal((uint)TestApp.PasswordIterations, ReadUInt32BigEndian(bytes, 5));
        Assert.Equal(16u, ReadUInt32BigEndian(bytes, 9));
    }

    private static uint ReadUInt32BigEndian(byte[] bytes, int offset) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset));

    private async Task AssertNoUsersBesidesAdmin()
    {
        await using var db = await _app.Db.OpenAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE role <> 'Admin'"));
    }
}

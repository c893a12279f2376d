using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using TicketFunctions.Auth;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Auth;

/// <summary>RFC 7515 4.1.11: a JWS whose "crit" header names extensions the app does not understand must be rejected.</summary>
public sealed class TokenHeaderTests
{
    [Theory]
    [InlineData("""{"alg":"HS256","typ":"JWT","crit":["exp"],"exp":1}""")]
    [InlineData("""{"alg":"HS256","typ":"JWT","crit":["urn:example:unknown"],"urn:example:unknown":true}""")]
    [InlineData("""{"alg":"HS256","typ":"JWT","crit":[]}""")]
    public async Task A_correctly_signed_token_with_a_crit_header_is_refused_with_401(string header)
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var claims = JsonSerializer.Serialize(ForgedTokens.Claims(userId, app.Clock.GetUtcNow(), stamp: ForgedTokens.StampOf(token)));

        var plain = await Me(app, SignRaw("""{"alg":"HS256","typ":"JWT"}""", claims));
        var critical = await Me(app, SignRaw(header, claims));

        Assert.Equal(200, plain.Status);
        Assert.Equal(401, critical.Status);
        Assert.True(critical.IsProblem);
    }

    private static Task<TestResponse> Me(TestApp app, string token)
        => app.Invoke<AuthFunctions>(nameof(AuthFunctions.Me), app.Request("GET", "/api/auth/me", token: token), (f, r) => f.Me(r));

    /// <summary>A JWS over exactly this header and payload, HMAC-SHA256 with the test app's key.</summary>
    private static string SignRaw(string header, string payload)
    {
        var input = $"{Base64UrlEncoder.Encode(header)}.{Base64UrlEncoder.Encode(payload)}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestApp.SigningKey), Encoding.ASCII.GetBytes(input));
        return $"{input}.{Base64UrlEncoder.Encode(signature)}";
    }
}

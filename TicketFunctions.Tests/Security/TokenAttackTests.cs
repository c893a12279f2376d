using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TicketFunctions.Auth;
using TicketFunctions.OpenApi;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Security;

/// <summary>
/// OWASP API2 and RFC 8725 over HTTP: every forged, edited, stale or foreign token is refused with 401 on every route
/// that needs one; OWASP API5: a User calling any Admin route gets 403 and changes nothing.
/// </summary>
[Collection(SecuritySuite.Name)]
public sealed class TokenAttackTests(SecurityHost host)
{
    [Fact]
    public async Task Every_forged_or_invalid_token_is_refused_with_401_bearer_problem_on_every_protected_route()
    {
        var targets = await host.NewTargets();
        var routes = HostileRequests.Valid(targets).Where(r => r.Token is not null).ToList();
        var attacks = await Attacks(targets.UserToken);
        var refused = 0;
        var failures = new List<string>();
        foreach (var (name, header) in attacks)
        {
            var before = failures.Count;
            await Parallel.ForEachAsync(routes, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (route, _) =>
            {
                var answer = await HostileRequests.SendAsync(host.App.Client, route, header);
                if (answer.Status != 401 || answer.MediaType != "application/problem+json" || !answer.WwwAuthenticate.StartsWith("Bearer", StringComparison.Ordinal))
                {
                    lock (failures)
                    {
                        failures.Add($"{name} on {route}: {answer.Status} {answer.MediaType} '{answer.WwwAuthenticate}' {answer.Body}");
                    }
                }
            });
            refused += failures.Count == before ? 1 : 0;
        }

        host.Figures.Add("tokenAttacks", attacks.Count);
        host.Figures.Add("tokenRefused", refused);
        host.Figures.Add("tokenRequests", attacks.Count * routes.Count);
        host.Figures.Add("tokenRoutes", routes.Count);
        Assert.True(routes.Count >= 15, $"only {routes.Count} protected routes found");
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(30)));
        Assert.Empty(await DatabaseInvariants.BrokenAsync(host.App.Db));
    }

    [Fact]
    public async Task A_token_signed_with_the_apps_key_is_accepted_so_each_attack_fails_for_its_own_reason()
    {
        var (token, userId) = await host.NewUser();

        using var response = await host.App.Get("api/auth/me", ForgedTokens.Sign(ForgedTokens.Claims(userId, DateTimeOffset.UtcNow, stamp: ForgedTokens.StampOf(token)), TestApp.SigningKey));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_login_answer_that_carries_a_token_tells_caches_not_to_store_it()
    {
        var email = $"cache-{Guid.NewGuid():N}@example.com";
        using (var registered = await host.App.Post("api/auth/register", new { email, password = "Password-123", fullName = "Cache" }))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, registered.StatusCode);
        }

        using var login = await host.App.Post("api/auth/login", new { email, password = "Password-123" });

        Assert.Equal(System.Net.HttpStatusCode.OK, login.StatusCode);
        Assert.True(login.Headers.CacheControl?.NoStore == true, $"Cache-Control: {login.Headers.CacheControl}");
    }

    [Fact]
    public async Task A_User_calling_any_Admin_route_gets_403_and_nothing_changes()
    {
        var targets = await host.NewTargets();
        var adminRoutes = HostileRequests.Functions.Where(f => f.Access == Access.Admin).Select(f => f.Name).ToHashSet();
        var asUser = HostileRequests.Valid(targets).Where(r => adminRoutes.Contains(r.Function)).Select(r => r with { Token = targets.UserToken }).ToList();
        var counts = await Counts();

        var failures = new List<string>();
        foreach (var request in asUser)
        {
            var answer = await HostileRequests.SendAsync(host.App.Client, request);
            if (answer.Status != 403 || answer.MediaType != "application/problem+json")
            {
                failures.Add($"{request}: {answer.Status} {answer.MediaType} {answer.Body}");
            }
        }

        host.Figures.Add("adminRoutes", asUser.Count);
        host.Figures.Add("admin403", asUser.Count - failures.Count);
        Assert.True(asUser.Count >= 8, $"only {asUser.Count} admin routes found");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(counts, await Counts());
    }

    private async Task<string> Counts()
        => await host.Scalar<string>("SELECT CAST((SELECT count(*) FROM movies) AS TEXT) || '/' || CAST((SELECT count(*) FROM theatres) AS TEXT) || '/' || CAST((SELECT count(*) FROM showtimes) AS TEXT) "
            + "|| '/' || (SELECT string_agg(title || release_date || CAST(duration_minutes AS TEXT), ',' ORDER BY id) FROM movies) "
            + "|| '/' || (SELECT string_agg(name || CAST(seat_rows AS TEXT) || CAST(seats_per_row AS TEXT), ',' ORDER BY id) FROM theatres)") ?? "";

    /// <summary>The attacks as raw Authorization headers ("" sends none).</summary>
    private async Task<List<(string Name, string Header)>> Attacks(string userToken)
    {
        var (_, userId) = await host.NewUser();
        var (goneToken, goneId) = await host.NewUser();
        await using (var connection = await host.App.Db.OpenAsync())
        {
            await connection.ExecuteAsync("DELETE FROM users WHERE id = @goneId", new { goneId });
        }

        var adminId = await host.Scalar<long>("SELECT min(id) FROM users WHERE role = 'Admin'");
        var now = DateTimeOffset.UtcNow;
        var key = TestApp.SigningKey;
        using var rsa = RSA.Create(2048);
        var publicPem = rsa.ExportSubjectPublicKeyInfoPem();
        var stamp = ForgedTokens.StampOf(userToken);
        var adminStamp = await host.Scalar<string>("SELECT security_stamp FROM users WHERE id = @adminId", new { adminId });
        var claims = ForgedTokens.Claims(userId, now, stamp: stamp);
        var header = userToken.Split('.')[0];

        return
        [
            ("no token", ""),
            ("alg none", Bearer(ForgedTokens.Unsigned(ForgedTokens.Claims(adminId, now, role: "Admin", stamp: adminStamp)))),
            ("alg none, real signature kept", Bearer($"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{userToken.Split('.')[1]}.{userToken.Split('.')[2]}")),
            ("HS256 with another key", Bearer(ForgedTokens.Sign(claims, "another-key-0123456789-abcdefghijklmnopqrstuvwxyz"))),
            ("RS256 with an attacker's RSA key", Bearer(SignRsa(claims, rsa, embedJwk: false))),
            ("RS256 with the attacker's key embedded as jwk", Bearer(SignRsa(claims, rsa, embedJwk: true))),
            ("RS/HS confusion: HS256 keyed with an RSA public key", Bearer(ForgedTokens.Sign(claims, publicPem))),
            ("HS512 with the app's key", Bearer(ForgedTokens.Sign(claims, key + key, SecurityAlgorithms.HmacSha512))),
            ("payload edited to role Admin", Bearer(ForgedTokens.WithPayload(userToken, p => { p["role"] = JsonSerializer.SerializeToElement("Admin"); p["sub"] = JsonSerializer.SerializeToElement(adminId.ToString(System.Globalization.CultureInfo.InvariantCulture)); return p; }))),
            ("header swapped to HS512", Bearer($"{Base64UrlEncoder.Encode("{\"alg\":\"HS512\",\"typ\":\"JWT\"}")}.{userToken.Split('.')[1]}.{userToken.Split('.')[2]}")),
            ("expired", Bearer(ForgedTokens.Sign(ForgedTokens.Claims(userId, now.AddHours(-3), stamp: stamp), key))),
            ("not yet valid", Bearer(ForgedTokens.Sign(ForgedTokens.Claims(userId, now.AddHours(2), stamp: stamp), key))),
            ("wrong issuer", Bearer(ForgedTokens.Sign(ForgedTokens.Claims(userId, now, issuer: "Elsewhere", stamp: stamp), key))),
            ("wrong audience", Bearer(ForgedTokens.Sign(ForgedTokens.Claims(userId, now, audience: "Elsewhere", stamp: stamp), key))),
            ("missing sub", Bearer(ForgedTokens.Sign(Without(claims, "sub"), key))),
            ("missing exp", Bearer(ForgedTokens.Sign(Without(claims, "exp"), key))),
            ("sub is not an id", Bearer(ForgedTokens.Sign(With(claims, "sub", "1 OR 1=1"), key))),
            ("sub is 0", Bearer(ForgedTokens.Sign(With(claims, "sub", "0"), key))),
            ("the user no longer exists", Bearer(goneToken)),
            ("garbage", "Bearer not.a.token"),
            ("garbage header", $"Bearer {header}.%%%.!!!"),
            ("empty bearer", "Bearer "),
            ("Basic scheme", "Basic YWRtaW5AZXhhbXBsZS5jb206QWRtaW4tUGFzc3dvcmQtMQ=="),
            ("token of 9 KiB", Bearer(new string('a', 9 * 1024))),
        ];

        static string Bearer(string token) => "Bearer " + token;
    }

    private static Dictionary<string, object> Without(Dictionary<string, object> claims, string name)
        => claims.Where(c => c.Key != name).ToDictionary();

    private static Dictionary<string, object> With(Dictionary<string, object> claims, string name, object value)
        => new(claims) { [name] = value };

    private static string SignRsa(Dictionary<string, object> claims, RSA rsa, bool embedJwk)
    {
        var key = new RsaSecurityKey(rsa) { KeyId = "attacker" };
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            TokenType = "JWT",
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        };
        if (embedJwk)
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)));
            descriptor.AdditionalHeaderClaims = new Dictionary<string, object> { ["jwk"] = new Dictionary<string, object> { ["kty"] = "RSA", ["n"] = jwk.N, ["e"] = jwk.E } };
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}

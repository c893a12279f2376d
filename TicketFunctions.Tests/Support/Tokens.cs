using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TicketFunctions.Tests.Support;

/// <summary>Hand-made JWTs for attacking the validator: other keys, other algorithms, edited payloads.</summary>
public static class ForgedTokens
{
    public static string Sign(IDictionary<string, object> claims, string key, string algorithm = SecurityAlgorithms.HmacSha256, string type = "JWT")
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            TokenType = type,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), algorithm),
        });
    }

    /// <summary>
    /// The claims the app issues; <paramref name="stamp"/> is the account's security stamp (<see cref="StampOf"/> reads
    /// it from a token the app issued), left out when null.
    /// </summary>
    public static Dictionary<string, object> Claims(long userId, DateTimeOffset now, string role = "User", string issuer = "TicketFunctions", string audience = "TicketFunctions", TimeSpan? lifetime = null, string? stamp = null)
    {
        var claims = ClaimsWithoutStamp(userId, now, role, issuer, audience, lifetime);
        if (stamp is not null)
        {
            claims["sst"] = stamp;
        }

        return claims;
    }

    /// <summary>The security stamp claim of a token the app issued.</summary>
    public static string StampOf(string token)
        => JsonDocument.Parse(Base64UrlEncoder.Decode(token.Split('.')[1])).RootElement.GetProperty("sst").GetString()!;

    private static Dictionary<string, object> ClaimsWithoutStamp(long userId, DateTimeOffset now, string role, string issuer, string audience, TimeSpan? lifetime) => new()
    {
        ["sub"] = userId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["email"] = "someone@example.com",
        ["role"] = role,
        ["iss"] = issuer,
        ["aud"] = audience,
        ["iat"] = now.ToUnixTimeSeconds(),
        ["nbf"] = now.ToUnixTimeSeconds(),
        ["exp"] = (now + (lifetime ?? TimeSpan.FromHours(1))).ToUnixTimeSeconds(),
        ["jti"] = Guid.NewGuid().ToString("N"),
    };

    /// <summary>An unsigned token: header {"alg":"none"}, the payload, and an empty signature.</summary>
    public static string Unsigned(IDictionary<string, object> claims)
        => $"{B64("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{B64(JsonSerializer.Serialize(claims))}.";

    /// <summary>The same token with its payload replaced and the original signature kept.</summary>
    public static string WithPayload(string token, Func<Dictionary<string, JsonElement>, Dictionary<string, JsonElement>> edit)
    {
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[1]))!;
        return $"{parts[0]}.{B64(JsonSerializer.Serialize(edit(payload)))}.{parts[2]}";
    }

    private static string B64(string json) => Base64UrlEncoder.Encode(json);
}

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

    public static Dictionary<string, object> Claims(long userId, DateTimeOffset now, string role = "User", string issuer = "TicketFunctions", string audience = "TicketFunctions", TimeSpan? lifetime = null) => new()
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

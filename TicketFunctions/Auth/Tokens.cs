using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TicketFunctions.Common;

namespace TicketFunctions.Auth;

/// <summary>Issues and validates the API's HS256 access tokens (RFC 8725: one pinned algorithm, every claim checked).</summary>
public sealed class Tokens
{
    private readonly JwtOptions _options;
    private readonly TimeProvider _clock;
    private readonly SymmetricSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false, SetDefaultTimesOnTokenCreation = false };
    private readonly TokenValidationParameters _validation;

    public Tokens(IOptions<JwtOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        _key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_options.SigningKey));
        _validation = new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            IssuerSigningKey = _key,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            ValidIssuer = _options.Issuer,
            ValidateIssuer = true,
            ValidAudience = _options.Audience,
            ValidateAudience = true,
            RequireAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = _options.ClockSkew,
            LifetimeValidator = ValidateLifetime,
            ValidTypes = ["JWT"],
            NameClaimType = JwtRegisteredClaimNames.Sub,
            RoleClaimType = "role",
        };
    }

    /// <summary>The claim that carries the account's security stamp.</summary>
    public const string SecurityStampClaim = "sst";

    public TimeSpan Lifetime => _options.Lifetime;

    // The library reads the system clock; lifetimes are checked against the injected one so tests can move time.
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        return expires is { } exp
            && now - parameters.ClockSkew < exp.ToUniversalTime()
            && (notBefore is not { } nbf || nbf.ToUniversalTime() <= now + parameters.ClockSkew);
    }

    public string Issue(UserView user)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + _options.Lifetime,
            TokenType = "JWT",
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [JwtRegisteredClaimNames.Email] = user.Email,
                ["role"] = user.Role,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [SecurityStampClaim] = user.SecurityStamp,
            },
        });
    }

    /// <summary>
    /// The account a valid token was issued for, or null for any token that is not exactly what this app issues:
    /// <c>sub</c> a user id in its one decimal form (no sign, no leading zero), every part base64url without padding
    /// and the signature in its one canonical encoding (RFC 7515, section 2; RFC 4648, section 3.5).
    /// </summary>
    public async Task<TokenSubject?> ValidateAsync(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length > 8 * 1024 || !IsCanonicalCompact(token))
        {
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, _validation);

        // This app understands no JWS extension, so a token that names any as critical must be rejected (RFC 7515
        // 4.1.11); the library does not check "crit" itself.
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || jwt.Alg != SecurityAlgorithms.HmacSha256
            || jwt.TryGetHeaderValue<object>("crit", out _))
        {
            return null;
        }

        return jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var sub)
            && long.TryParse(sub, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            && id > 0
            && id.ToString(System.Globalization.CultureInfo.InvariantCulture) == sub
            && jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Jti, out var jti) && !string.IsNullOrEmpty(jti)
            && jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out _)
            && jwt.TryGetPayloadValue<string>(SecurityStampClaim, out var stamp) && !string.IsNullOrEmpty(stamp)
                ? new TokenSubject(id, stamp)
                : null;
    }

    // Three parts of base64url characters only, and a signature that encodes its bytes the one way RFC 4648 allows
    // (the unused low bits of its last character zero), so that one signature has one spelling.
    private static bool IsCanonicalCompact(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0 || !p.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            return false;
        }

        try
        {
            return Base64UrlEncoder.Encode(Base64UrlEncoder.DecodeBytes(parts[2])) == parts[2];
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.Options;

namespace TicketFunctions.Auth;

public sealed class JwtOptions
{
    /// <summary>The HS256 key: at least 32 bytes of UTF-8.</summary>
    [Required(ErrorMessage = "Jwt__SigningKey is not set: give the app an HS256 key of at least 32 bytes (local.settings.json Values or an environment variable).")]
    public string SigningKey { get; set; } = "";

    [Required]
    public string Issuer { get; set; } = "TicketFunctions";

    [Required]
    public string Audience { get; set; } = "TicketFunctions";

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Tolerance for clocks that disagree; at most 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
        => Encoding.UTF8.GetByteCount(options.SigningKey ?? "") >= 32
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Jwt__SigningKey must be at least 32 bytes for HS256; set a longer key (for example 48 random bytes, base64).");
}

public sealed class AdminOptions
{
    /// <summary>The first admin's email; with <see cref="Password"/>, created at start-up if missing.</summary>
    [EmailAddress]
    public string? Email { get; set; }

    [StringLength(128, MinimumLength = 8)]
    public string? Password { get; set; }
}

/// <summary>
/// How many failed logins one email may have in a window from one client address, and from all addresses together,
/// before further attempts answer 429.
/// </summary>
public sealed class LoginOptions
{
    [Range(1, 1000, ErrorMessage = "Login:MaxFailures must be from 1 to 1000.")]
    public int MaxFailures { get; set; } = 10;

    /// <summary>
    /// The ceiling for one email from every address together, above <see cref="MaxFailures"/>: it slows guessing spread
    /// over many addresses, and a stranger at one address never reaches it alone.
    /// </summary>
    [Range(1, 100_000, ErrorMessage = "Login:MaxFailuresPerEmail must be from 1 to 100000.")]
    public int MaxFailuresPerEmail { get; set; } = 100;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Login:FailureWindow must be from 1 second to 1 day.")]
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);
}

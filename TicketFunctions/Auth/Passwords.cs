using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TicketFunctions.Auth;

/// <summary>
/// ASP.NET Core Identity's PBKDF2 hasher (format v3: HMAC-SHA512, random 128-bit salt) with the iteration count
/// that OWASP recommends for PBKDF2-HMAC-SHA512, set explicitly rather than left to the library's default.
/// </summary>
public sealed class Passwords
{
    public const int Iterations = 210_000;
    public const int MinLength = 8;
    public const int MaxLength = 128;

    private static readonly object User = new();

    private readonly PasswordHasher<object> _hasher;

    // Verifying against this makes a login for an unknown email cost the same as one for a known email.
    private readonly Lazy<string> _decoy;
    private long _verifications;

    public Passwords(IOptions<PasswordOptions> options)
    {
        _hasher = new(Options.Create(new PasswordHasherOptions
        {
            CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
            IterationCount = options.Value.Iterations,
        }));
        _decoy = new Lazy<string>(() => Hash(Guid.NewGuid().ToString("N")));
    }

    /// <summary>How many slow hash verifications this instance has run (decoy ones included): login's cost, countable.</summary>
    public long Verifications => Interlocked.Read(ref _verifications);

    public string Hash(string password) => _hasher.HashPassword(User, password);

    public PasswordCheck Verify(string? hash, string password)
    {
        Interlocked.Increment(ref _verifications);
        var result = _hasher.VerifyHashedPassword(User, hash ?? _decoy.Value, password);
        return hash is null
            ? PasswordCheck.Failed
            : result switch
            {
                PasswordVerificationResult.Success => PasswordCheck.Success,
                PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.SuccessRehashNeeded,
                _ => PasswordCheck.Failed,
            };
    }
}

public enum PasswordCheck
{
    Failed,
    Success,
    SuccessRehashNeeded,
}

/// <summary>
/// The PBKDF2 iteration count: <see cref="Passwords.Iterations"/> (OWASP's figure) unless set. A lower count is
/// refused at start outside the Development environment; it exists so that test suites do not spend their time hashing.
/// And how much hashing runs at once, and how long a request may wait for it.
/// </summary>
public sealed class PasswordOptions
{
    [Range(1_000, 10_000_000, ErrorMessage = "Passwords:Iterations must be from 1000 to 10000000.")]
    public int Iterations { get; set; } = Passwords.Iterations;

    /// <summary>How many password hashes run at once (<see cref="PasswordWork"/>): one per core unless set.</summary>
    [Range(1, 256, ErrorMessage = "Passwords:Concurrency must be from 1 to 256.")]
    public int Concurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// The longest a login or registration waits for its turn to hash before it is answered 503 with Retry-After;
    /// one whose wait the queue ahead of it already makes longer is answered at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00", ErrorMessage = "Passwords:QueueTimeout must be from 1 second to 2 minutes.")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class PasswordOptionsValidator(IHostEnvironment environment) : IValidateOptions<PasswordOptions>
{
    public ValidateOptionsResult Validate(string? name, PasswordOptions options)
        => options.Iterations >= Passwords.Iterations || environment.IsDevelopment()
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Passwords__Iterations is {options.Iterations}, below the {Passwords.Iterations} that OWASP recommends for PBKDF2-HMAC-SHA512; "
                + "a lower count is allowed only in the Development environment (for tests). Remove the setting.");
}

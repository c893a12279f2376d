using Dapper;
using Microsoft.Extensions.Options;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Auth;

/// <summary>Registration and login: the logic behind <see cref="AuthFunctions"/>.</summary>
public sealed class AuthService(Db db, Passwords passwords, Tokens tokens, TimeProvider clock, IOptions<LoginOptions> loginOptions)
{
    private static readonly SqlScript InsertUser = Sql.Load("auth/insert_user");
    private static readonly SqlScript FindUserByEmail = Sql.Load("auth/find_user_by_email");
    private static readonly SqlScript GetUser = Sql.Load("auth/get_user");
    private static readonly SqlScript UpdatePasswordHash = Sql.Load("auth/update_password_hash");
    private static readonly SqlScript GetLoginFailures = Sql.Load("auth/get_login_failures");
    private static readonly SqlScript ReserveLoginAttempt = Sql.Load("auth/reserve_login_attempt");
    private static readonly SqlScript ClearLoginFailures = Sql.Load("auth/clear_login_failures");

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();

    public async Task<Result<UserView>> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken)
    {
        var errors = Validate.Annotations(request);
        if (!Validate.IsPrintable(request.FullName))
        {
            errors.Add("fullName", "Must not contain control characters.");
        }

        if (!Validate.IsPrintable(request.Email) || request.Email.Trim() != request.Email)
        {
            errors.Add("email", "Must be an email address without spaces or control characters.");
        }

        if (errors.Count > 0)
        {
            return new Error.Invalid(errors);
        }

        var hash = passwords.Hash(request.Password);
        var user = await db.WriteAsync((connection, transaction) => connection.QuerySingleOrDefaultAsync<UserView>(InsertUser, new
        {
            request.Email,
            NormalizedEmail = Normalize(request.Email),
            FullName = request.FullName.Trim(),
            PasswordHash = hash,
            Role = Roles.User,
            CreatedAt = clock.UnixMsNow(),
        }, transaction), cancellationToken);
        return user is null
            ? new Error.Conflict("email_taken", "An account with this email already exists.")
            : user;
    }

    /// <summary>
    /// A token for the right email and password; 401 for anything else, in the same time either way; 429 once the email
    /// has had <see cref="LoginOptions.MaxFailures"/> failed logins in the current window (whether or not an account
    /// has it, so the throttle tells nothing about which emails exist), without spending a password hash on it.
    /// Each attempt is counted as a failure before its hash is checked, by one conditional write, so concurrent
    /// attempts cannot all pass the check: at most MaxFailures hashes per email and window. A success clears the count.
    /// </summary>
    public async Task<Result<LoginResponse>> LoginAsync(LoginRequest request, CancellationToken cancellationToken)
    {
        var now = clock.UnixMsNow();
        var limits = loginOptions.Value;
        var window = new { NormalizedEmail = Normalize(request.Email), Now = now, WindowMs = (long)limits.FailureWindow.TotalMilliseconds, limits.MaxFailures };
        // An email that registration would refuse (too long, control characters) has no account and no throttle row;
        // it is not even looked up, since PostgreSQL refuses a text holding U+0000.
        var countable = request.Email.Length <= 254 && Validate.IsPrintable(request.Email);
        if (countable && await db.WriteAsync((connection, transaction) => connection.ExecuteAsync(ReserveLoginAttempt, window, transaction), cancellationToken) == 0)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var failures = await connection.QuerySingleOrDefaultAsync<LoginFailures>(GetLoginFailures, window);

            // No count left means a success cleared it a moment ago: trying again at once is fine.
            var retryAfter = failures is null ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(failures.WindowStart + window.WindowMs - now);
            return new Error.TooManyRequests("Too many failed logins for this email; try again later.", retryAfter);
        }

        UserCredentials? user = null;
        if (countable)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            user = await connection.QuerySingleOrDefaultAsync<UserCredentials>(FindUserByEmail, new { window.NormalizedEmail });
        }

        // Runs the slow hash whether or not the email exists, so timing does not tell which.
        var check = passwords.Verify(user?.PasswordHash, request.Password.Length <= Passwords.MaxLength ? request.Password : "");
        if (user is null || check == PasswordCheck.Failed || request.Password.Length > Passwords.MaxLength)
        {
            // The attempt was counted as a failure before the hash: it stays counted.
            return new Error.Unauthorized("The email or password is wrong.");
        }

        if (countable)
        {
            await db.WriteAsync((connection, transaction) => connection.ExecuteAsync(ClearLoginFailures, new { window.NormalizedEmail }, transaction), cancellationToken);
        }

        if (check == PasswordCheck.SuccessRehashNeeded)
        {
            // Hashed before the write, so the writer is never held for a password hash.
            var rehash = new { user.Id, PasswordHash = passwords.Hash(request.Password), OldHash = user.PasswordHash };
            await db.WriteAsync((connection, transaction) => connection.ExecuteAsync(UpdatePasswordHash, rehash, transaction), cancellationToken);
        }

        return new LoginResponse(tokens.Issue(user.View), "Bearer", (long)tokens.Lifetime.TotalSeconds, UserResponse.From(user.View));
    }

    public async Task<UserView?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserView>(GetUser, new { Id = id });
    }

    private sealed record LoginFailures(long Failures, long WindowStart);
}

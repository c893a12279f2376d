using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Options;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Auth;

/// <summary>Registration and login: the logic behind <see cref="AuthFunctions"/>.</summary>
public sealed class AuthService(Db db, Passwords passwords, PasswordWork work, Tokens tokens, TimeProvider clock, IOptions<LoginOptions> loginOptions)
{
    private static readonly SqlScript InsertUser = Sql.Load("auth/insert_user");
    private static readonly SqlScript FindUserByEmail = Sql.Load("auth/find_user_by_email");
    private static readonly SqlScript GetUser = Sql.Load("auth/get_user");
    private static readonly SqlScript UpdatePasswordHash = Sql.Load("auth/update_password_hash");
    private static readonly SqlScript GetLoginFailures = Sql.Load("auth/get_login_failures");
    private static readonly SqlScript ReserveLoginAttempt = Sql.Load("auth/reserve_login_attempt");
    private static readonly SqlScript ReleaseLoginAttempt = Sql.Load("auth/release_login_attempt");
    private static readonly SqlScript ClearLoginFailures = Sql.Load("auth/clear_login_failures");

    /// <summary>A new account's random security stamp, which its tokens carry.</summary>
    public static string NewSecurityStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public async Task<Result<UserView>> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken)
    {
        var errors = Validate.Annotations(request);
        if (!Validate.IsPrintable(request.FullName))
        {
            errors.Add("fullName", "Must not contain control characters.");
        }

        var keys = default(EmailKeys);
        if (request.Email is not null && !errors.ContainsKey("email") && !EmailIdentity.TryCreate(request.Email, out keys, out var problem))
        {
            errors.Add("email", problem);
        }

        if (errors.Count > 0)
        {
            return new Error.Invalid(errors);
        }

        var hash = await work.RunAsync(() => passwords.Hash(request.Password), cancellationToken);
        if (!hash.IsSuccess)
        {
            return hash.Error!;
        }

        var user = await db.WriteAsync((connection, transaction) => connection.QuerySingleOrDefaultAsync<UserView>(InsertUser, new
        {
            request.Email,
            NormalizedEmail = keys.Normalized,
            EmailSkeleton = keys.Skeleton,
            FullName = request.FullName.Trim(),
            PasswordHash = hash.Value,
            Role = Roles.User,
            SecurityStamp = NewSecurityStamp(),
            CreatedAt = clock.UnixMsNow(),
        }, transaction), cancellationToken);
        return user is null
            ? new Error.Conflict("email_taken", "An account with this email, or with one that reads the same, already exists.")
            : user;
    }

    /// <summary>
    /// A token for the right email and password; 401 for anything else, in the same time either way. Failures are
    /// counted per email and client address (<paramref name="clientAddress"/>, <see cref="ClientAddress"/>) and per
    /// email from anywhere, as the OWASP Authentication Cheat Sheet advises: past <see cref="LoginOptions.MaxFailures"/>
    /// from one address, or <see cref="LoginOptions.MaxFailuresPerEmail"/> from all of them, attempts answer 429 until
    /// the window of that count ends, without spending a password hash, whether or not an account has the email (so the
    /// throttle tells nothing about which emails exist). A stranger guessing from one address is refused there alone;
    /// the owner logging in from theirs gets in. Each attempt is counted before its hash is checked, by conditional
    /// writes, so concurrent attempts cannot all pass the check; a success clears its address's count. 503 when the
    /// server is too busy hashing (<see cref="PasswordWork"/>), the attempt then not counted.
    /// </summary>
    public async Task<Result<LoginResponse>> LoginAsync(LoginRequest request, string clientAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var normalized = EmailIdentity.Normalize(request.Email);

        // An email that registration would refuse (too long, control characters) has no account and no throttle row;
        // it is not even looked up, since PostgreSQL refuses a text holding U+0000.
        var countable = request.Email.Length <= 254 && normalized.Length <= 254 && Validate.IsPrintable(request.Email);
        Attempt? attempt = null;
        if (countable)
        {
            var reserved = await ReserveAsync(normalized, clientAddress, cancellationToken);
            if (!reserved.IsSuccess)
            {
                return reserved.Error!;
            }

            attempt = reserved.Value;
        }

        UserCredentials? user = null;
        if (countable)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            user = await connection.QuerySingleOrDefaultAsync<UserCredentials>(FindUserByEmail, new { NormalizedEmail = normalized });
        }

        // Runs the slow hash whether or not the email exists, so timing does not tell which.
        var password = request.Password.Length <= Passwords.MaxLength ? request.Password : "";
        var verified = await work.RunAsync(() => passwords.Verify(user?.PasswordHash, password), cancellationToken);
        if (!verified.IsSuccess)
        {
            if (attempt is not null)
            {
                await ReleaseAsync(attempt, CancellationToken.None);
            }

            return verified.Error!;
        }

        var check = verified.Value;
        if (user is null || check == PasswordCheck.Failed || request.Password.Length > Passwords.MaxLength)
        {
            // The attempt was counted as a failure before the hash: it stays counted.
            return new Error.Unauthorized("The email or password is wrong.");
        }

        if (attempt is not null)
        {
            // Not a failure after all: its address starts over, and the email's count from anywhere takes it back.
            await using var write = await db.WriteAsync(cancellationToken);
            await write.Connection.ExecuteAsync(ClearLoginFailures, new { NormalizedEmail = normalized, ClientAddress = clientAddress }, write.Transaction);
            await write.Connection.ExecuteAsync(ReleaseLoginAttempt, new { NormalizedEmail = normalized, ClientAddress = ClientAddress.Anywhere, WindowStart = attempt.EmailWindow }, write.Transaction);
            await write.CommitAsync(cancellationToken);
        }

        if (check == PasswordCheck.SuccessRehashNeeded)
        {
            // Hashed before the write, so the writer is never held for a password hash; a busy server rehashes next time.
            var rehash = await work.RunAsync(() => passwords.Hash(request.Password), cancellationToken);
            if (rehash.IsSuccess)
            {
                var row = new { user.Id, PasswordHash = rehash.Value, OldHash = user.PasswordHash };
                await db.WriteAsync((connection, transaction) => connection.ExecuteAsync(UpdatePasswordHash, row, transaction), cancellationToken);
            }
        }

        return new LoginResponse(tokens.Issue(user.View), "Bearer", (long)tokens.Lifetime.TotalSeconds, UserResponse.From(user.View));
    }

    public async Task<UserView?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserView>(GetUser, new { Id = id });
    }

    // Counts the attempt against the email from this address and against the email from anywhere, both or neither.
    private async Task<Result<Attempt>> ReserveAsync(string normalized, string clientAddress, CancellationToken cancellationToken)
    {
        var now = clock.UnixMsNow();
        var limits = loginOptions.Value;
        var windowMs = (long)limits.FailureWindow.TotalMilliseconds;
        var scopes = new[] { (Address: clientAddress, Limit: limits.MaxFailures), (Address: ClientAddress.Anywhere, Limit: limits.MaxFailuresPerEmail) };
        var windows = new long[scopes.Length];
        await using (var write = await db.WriteAsync(cancellationToken))
        {
            string? refused = null;
            for (var i = 0; i < scopes.Length && refused is null; i++)
            {
                var args = new { NormalizedEmail = normalized, ClientAddress = scopes[i].Address, Now = now, WindowMs = windowMs, MaxFailures = scopes[i].Limit };
                var start = await write.Connection.QuerySingleOrDefaultAsync<long?>(ReserveLoginAttempt, args, write.Transaction);
                if (start is { } windowStart)
                {
                    windows[i] = windowStart;
                }
                else
                {
                    refused = scopes[i].Address;
                }
            }

            if (refused is null)
            {
                await write.CommitAsync(cancellationToken);
                return new Attempt(normalized, clientAddress, windows[0], windows[1]);
            }

            // Read in the same transaction, which is then rolled back: neither count moves for a refused attempt.
            var failures = await write.Connection.QuerySingleOrDefaultAsync<LoginFailures>(
                GetLoginFailures, new { NormalizedEmail = normalized, ClientAddress = refused, Now = now, WindowMs = windowMs }, write.Transaction);

            // No count left means a success cleared it a moment ago: trying again at once is fine.
            var retryAfter = failures is null ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(failures.WindowStart + windowMs - now);
            return refused == ClientAddress.Anywhere
                ? new Error.TooManyRequests("Too many failed logins for this email from many addresses; try again later.", retryAfter)
                : new Error.TooManyRequests("Too many failed logins for this email from this address; try again later.", retryAfter);
        }
    }

    private async Task ReleaseAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        await using var write = await db.WriteAsync(cancellationToken);
        await write.Connection.ExecuteAsync(ReleaseLoginAttempt, new { attempt.NormalizedEmail, attempt.ClientAddress, WindowStart = attempt.AddressWindow }, write.Transaction);
        await write.Connection.ExecuteAsync(ReleaseLoginAttempt, new { attempt.NormalizedEmail, ClientAddress = ClientAddress.Anywhere, WindowStart = attempt.EmailWindow }, write.Transaction);
        await write.CommitAsync(cancellationToken);
    }

    private sealed record LoginFailures(long Failures, long WindowStart);

    private sealed record Attempt(string NormalizedEmail, string ClientAddress, long AddressWindow, long EmailWindow);
}

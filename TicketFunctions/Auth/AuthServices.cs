using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Auth;

public static class AuthServices
{
    public static IServiceCollection AddAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JwtOptions>().Bind(configuration.GetSection("Jwt")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection("Admin")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LoginOptions>().Bind(configuration.GetSection("Login")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PasswordOptions>().Bind(configuration.GetSection("Passwords")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<PasswordOptions>, PasswordOptionsValidator>();
        services.AddSingleton<Passwords>();
        services.AddSingleton<PasswordWork>();
        services.AddSingleton<Tokens>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<AuthService>();
        services.AddSingleton<IStartupTask, AdminSeeder>();
        return services;
    }
}

/// <summary>
/// Creates the first admin from Admin__Email and Admin__Password, once; admins are never self-registered, and an
/// account someone registered with that email is never promoted.
/// </summary>
public sealed partial class AdminSeeder(IOptions<AdminOptions> options, Db db, Passwords passwords, TimeProvider clock, ILogger<AdminSeeder> logger) : IStartupTask
{
    private static readonly SqlScript EnsureAdmin = Sql.Load("auth/ensure_admin");
    private static readonly SqlScript FindUserByEmail = Sql.Load("auth/find_user_by_email");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value;
        if (string.IsNullOrWhiteSpace(admin.Email) || string.IsNullOrEmpty(admin.Password))
        {
            LogNoAdmin();
            return;
        }

        // Looked up first: a start with the admin in place (every start but the first) spends no time on a password hash.
        if (!EmailIdentity.TryCreate(admin.Email.Trim(), out var keys, out var problem))
        {
            throw new InvalidOperationException($"Admin__Email cannot name an account: {problem}");
        }

        var normalized = keys.Normalized;
        await using var connection = await db.OpenAsync(cancellationToken);
        var existing = await connection.QuerySingleOrDefaultAsync<UserCredentials>(FindUserByEmail, new { NormalizedEmail = normalized });
        if (existing is null)
        {
            var row = new
            {
                Email = admin.Email.Trim(),
                NormalizedEmail = normalized,
                EmailSkeleton = keys.Skeleton,
                PasswordHash = passwords.Hash(admin.Password),
                SecurityStamp = AuthService.NewSecurityStamp(),
                CreatedAt = clock.UnixMsNow(),
            };
            var inserted = await db.WriteAsync((c, t) => c.ExecuteAsync(EnsureAdmin, row, t), cancellationToken);

            // Nothing inserted: another instance starting at the same moment (or a registration) took the email first,
            // or an account holds an email that reads the same (its skeleton), which is not made Admin either.
            existing = inserted > 0 ? null : await connection.QuerySingleOrDefaultAsync<UserCredentials>(FindUserByEmail, new { NormalizedEmail = normalized });
            if (inserted == 0 && existing is null)
            {
                LogEmailTaken(admin.Email);
                return;
            }
        }

        if (existing is { Role: not Roles.Admin })
        {
            LogEmailTaken(admin.Email);
            return;
        }

        LogAdminEnsured(admin.Email);
    }

    [LoggerMessage(LogLevel.Information, "No Admin__Email and Admin__Password configured: no admin account is created")]
    private partial void LogNoAdmin();

    [LoggerMessage(LogLevel.Information, "Admin account {Email} is in place")]
    private partial void LogAdminEnsured(string email);

    [LoggerMessage(LogLevel.Error, "Admin__Email {Email} belongs to a self-registered User account, which is not made Admin (anyone may have registered it); configure an unused email for the first admin")]
    private partial void LogEmailTaken(string email);
}

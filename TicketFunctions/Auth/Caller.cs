using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Auth;

public static class Roles
{
    public const string User = "User";
    public const string Admin = "Admin";
}

/// <summary>The authenticated user of a request, as the database knows them now.</summary>
public sealed record Caller(long Id, string Email, string Role)
{
    public bool IsAdmin => Role == Roles.Admin;
}

/// <summary>Authenticates a request from its bearer token; the functions call it first thing.</summary>
public sealed class Authenticator(Tokens tokens, Db db)
{
    private static readonly SqlScript GetUser = Sql.Load("auth/get_user");

    /// <summary>The caller, or the 401 to answer.</summary>
    public async Task<Authenticated> AuthenticateAsync(HttpRequest request)
    {
        string? header = request.Headers[HeaderNames.Authorization];
        if (string.IsNullOrEmpty(header))
        {
            return new(null, Problems.Unauthorized("This operation needs a bearer token: Authorization: Bearer <token>.", error: null));
        }

        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length == scheme.Length)
        {
            return new(null, Problems.Unauthorized("The Authorization header must be 'Bearer <token>'."));
        }

        var userId = await tokens.ValidateAsync(header[scheme.Length..].Trim());
        if (userId is null)
        {
            return new(null, Problems.Unauthorized("The token is invalid or has expired; log in again."));
        }

        // The token's user must still exist; their role is read fresh, so a demotion takes effect at once.
        await using var connection = await db.OpenAsync(request.HttpContext.RequestAborted);
        var user = await connection.QuerySingleOrDefaultAsync<UserView>(GetUser, new { Id = userId.Value });
        return user is null
            ? new(null, Problems.Unauthorized("The token's user no longer exists."))
            : new(new Caller(user.Id, user.Email, user.Role), null);
    }

    /// <summary>The caller if they are an Admin; otherwise the 401 or 403 to answer.</summary>
    public async Task<Authenticated> AuthenticateAdminAsync(HttpRequest request)
    {
        var result = await AuthenticateAsync(request);
        return result.Caller is { IsAdmin: false }
            ? new(null, Problems.Forbidden("This operation is for administrators."))
            : result;
    }
}

/// <summary>Exactly one of <see cref="Caller"/> and <see cref="Denied"/> is set.</summary>
public readonly record struct Authenticated(Caller? Caller, IActionResult? Denied)
{
    public bool TryGetCaller(out Caller caller, out IActionResult denied)
    {
        caller = Caller!;
        denied = Denied!;
        return Caller is not null;
    }
}

using System.ComponentModel;
using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Auth;

[DisplayName("Role")]
public static class Roles
{
    public const string User = "User";
    public const string Admin = "Admin";

    public static readonly string[] All = [User, Admin];
}

/// <summary>The authenticated user of a request, as the database knows them now.</summary>
public sealed record Caller(long Id, string Email, string Role)
{
    public bool IsAdmin => Role == Roles.Admin;
}

/// <summary>Authenticates a request from its bearer token; the authorization middleware calls it for every function that needs a caller.</summary>
public sealed class Authenticator(Tokens tokens, Db db)
{
    private static readonly SqlScript GetTokenUser = Sql.Load("auth/get_token_user");

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

        var subject = await tokens.ValidateAsync(header[scheme.Length..].Trim());
        if (subject is not { } account)
        {
            return new(null, Problems.Unauthorized("The token is invalid or has expired; log in again."));
        }

        // The token's account must still exist, by its id and its security stamp (an account created later with the
        // same id is another account); the role is read fresh, so a demotion takes effect at once.
        await using var connection = await db.OpenAsync(request.HttpContext.RequestAborted);
        var user = await connection.QuerySingleOrDefaultAsync<UserView>(GetTokenUser, new { account.Id, account.SecurityStamp });
        return user is null
            ? new(null, Problems.Unauthorized("The token's user no longer exists."))
            : new(new Caller(user.Id, user.Email, user.Role), null);
    }

    /// <summary>
    /// Applies a function's declared access to a request: null when it may go on (an authenticated caller is then on
    /// the request), otherwise the 401 or 403 to answer. No declaration is a refusal: access is denied by default.
    /// </summary>
    public async Task<IActionResult?> AuthorizeAsync(HttpContext context, Access? access)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (access)
        {
            case Access.Anonymous:
                return null;
            case Access.User or Access.Admin:
                var result = await AuthenticateAsync(context.Request);
                if (result.Caller is not { } caller)
                {
                    return result.Denied;
                }

                if (access == Access.Admin && !caller.IsAdmin)
                {
                    return Problems.Forbidden("This operation is for administrators.");
                }

                context.SetCaller(caller);
                return null;
            default:
                return Problems.Forbidden("This operation declares no access rule, so nobody may call it.");
        }
    }
}

/// <summary>Exactly one of <see cref="Caller"/> and <see cref="Denied"/> is set.</summary>
public readonly record struct Authenticated(Caller? Caller, IActionResult? Denied);

/// <summary>The caller the authorization middleware put on the request for the function to use.</summary>
public static class CallerExtensions
{
    private const string Key = "TicketFunctions.Caller";

    /// <summary>The authenticated caller; a function declared <c>[Access(User)]</c> or <c>[Access(Admin)]</c> always has one.</summary>
    public static Caller Caller(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(Key, out var caller) && caller is Caller known
            ? known
            : throw new InvalidOperationException(
                "This request has no authenticated caller: the function must declare [Access(Access.User)] or [Access(Access.Admin)] for the authorization middleware to authenticate it.");
    }

    internal static void SetCaller(this HttpContext context, Caller caller) => context.Items[Key] = caller;
}

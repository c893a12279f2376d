using System.ComponentModel.DataAnnotations;
using TicketFunctions.Common;

namespace TicketFunctions.Auth;

public sealed record RegisterRequest(
    [property: Required, EmailAddress, StringLength(254)] string Email,
    [property: Required, StringLength(Passwords.MaxLength, MinimumLength = Passwords.MinLength)] string Password,
    [property: Required, StringLength(200, MinimumLength = 1)] string FullName) : IExample<RegisterRequest>
{
    public static RegisterRequest Example => new("ada@example.com", "Password-123", "Ada Lovelace");
}

public sealed record LoginRequest(
    [property: Required] string Email,
    [property: Required] string Password) : IExample<LoginRequest>
{
    // The admin of local.settings.json.example: on a fresh `npm start`, Try it out logs in as the admin who may call everything.
    public static LoginRequest Example => new("admin@example.com", "ChangeMe-Admin-123");
}

public sealed record UserResponse(long Id, string Email, string FullName, [property: OneOf(typeof(Roles))] string Role, DateTime CreatedAt)
    : IExample<UserResponse>
{
    public static UserResponse Example => new(2, "ada@example.com", "Ada Lovelace", Roles.User, new DateTime(2026, 11, 27, 9, 0, 0, DateTimeKind.Utc));

    public static UserResponse From(UserView user) => new(user.Id, user.Email, user.FullName, user.Role, Time.FromUnixMs(user.CreatedAt));
}

public sealed record LoginResponse(string AccessToken, string TokenType, long ExpiresIn, UserResponse User) : IExample<LoginResponse>
{
    public static LoginResponse Example => new("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIyIn0.c2lnbmF0dXJl", "Bearer", 3600, UserResponse.Example);
}

/// <summary>A users row without its password hash.</summary>
public sealed record UserView(long Id, string Email, string FullName, string Role, long CreatedAt, string SecurityStamp);

/// <summary>A users row with its password hash, for login only.</summary>
public sealed record UserCredentials(long Id, string Email, string FullName, string Role, long CreatedAt, string SecurityStamp, string PasswordHash)
{
    public UserView View => new(Id, Email, FullName, Role, CreatedAt, SecurityStamp);
}

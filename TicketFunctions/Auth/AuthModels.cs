using System.ComponentModel.DataAnnotations;
using TicketFunctions.Common;

namespace TicketFunctions.Auth;

public sealed record RegisterRequest(
    [property: Required, EmailAddress, StringLength(254)] string Email,
    [property: Required, StringLength(Passwords.MaxLength, MinimumLength = Passwords.MinLength)] string Password,
    [property: Required, StringLength(200, MinimumLength = 1)] string FullName);

public sealed record LoginRequest(
    [property: Required] string Email,
    [property: Required] string Password);

public sealed record UserResponse(long Id, string Email, string FullName, string Role, DateTime CreatedAt)
{
    public static UserResponse From(UserView user) => new(user.Id, user.Email, user.FullName, user.Role, Time.FromUnixMs(user.CreatedAt));
}

public sealed record LoginResponse(string AccessToken, string TokenType, long ExpiresIn, UserResponse User);

/// <summary>A users row without its password hash.</summary>
public sealed record UserView(long Id, string Email, string FullName, string Role, long CreatedAt);

/// <summary>A users row with its password hash, for login only.</summary>
public sealed record UserCredentials(long Id, string Email, string FullName, string Role, long CreatedAt, string PasswordHash)
{
    public UserView View => new(Id, Email, FullName, Role, CreatedAt);
}

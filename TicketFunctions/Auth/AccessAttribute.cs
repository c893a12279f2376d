namespace TicketFunctions.Auth;

/// <summary>Who may call an HTTP function.</summary>
public enum Access
{
    Anonymous,
    User,
    Admin,
}

/// <summary>
/// Declares once, on the function, who may call it: the authorization middleware enforces it (a function without it is
/// refused) and the OpenAPI document reads it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AccessAttribute(Access level) : Attribute
{
    public Access Level { get; } = level;
}

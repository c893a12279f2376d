namespace TicketFunctions.Auth;

/// <summary>The two keys that identify an account's email: its PRECIS form and its confusable skeleton.</summary>
public readonly record struct EmailKeys(string Normalized, string Skeleton);

namespace TicketFunctions.Auth;

/// <summary>The account a valid token names: its user id and the security stamp the account had when it was issued.</summary>
public readonly record struct TokenSubject(long Id, string SecurityStamp);

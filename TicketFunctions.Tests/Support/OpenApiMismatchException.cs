namespace TicketFunctions.Tests.Support;

/// <summary>An answer that does not match the OpenAPI document.</summary>
public sealed class OpenApiMismatchException(string message) : Exception(message);

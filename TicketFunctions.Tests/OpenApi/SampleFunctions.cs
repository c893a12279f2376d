using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.Auth;
using TicketFunctions.Common;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Tests.OpenApi;

// A function class and records like the areas' own, to test the document builder on every kind of annotation.
public enum SampleStatus
{
    Pending,
    Confirmed,
}

public sealed record SampleItemResponse(
    long Id,
    string Title,
    string? Note,
    SampleStatus Status,
    SampleStatus? PreviousStatus,
    decimal Price,
    DateTime CreatedAt,
    DateTime? ConfirmedAt,
    DateOnly Day,
    IReadOnlyList<string> Seats,
    SampleOwner Owner,
    SampleOwner? Reviewer);

public sealed record SampleOwner(long Id, string Email);

public sealed record SampleCreateRequest(
    [property: Required, StringLength(100, MinimumLength = 2)] string Title,
    [property: Range(1, 10)] int SeatCount,
    [property: Required, EmailAddress] string Email,
    [property: Length(1, 10)] IReadOnlyList<string> Seats,
    [property: Range(0.01, 1000.00)] decimal Price) : IExample<SampleCreateRequest>
{
    public static SampleCreateRequest Example => new("Two", 2, "a@example.com", ["A1"], 9.99m) { Day = new DateOnly(2026, 12, 1) };

    public string? Comment { get; init; }

    public required DateOnly Day { get; init; }
}

public sealed record SampleQuery : PagedQuery
{
    public DateOnly? Date { get; init; }
}

public sealed class SampleFunctions
{
    [Function("ListSampleItems")]
    [Access(Access.Admin)]
    [Tags("Samples")]
    [EndpointSummary("List items")]
    [ApiQuery(typeof(SampleQuery))]
    [ApiHeader("Idempotency-Key", MaxLength = 100)]
    [ProducesResponseType(typeof(PagedList<SampleItemResponse>), 200)]
    public static IActionResult List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "samples/{id:long}/items")] HttpRequest req, long id)
        => new OkResult();

    [Function("CreateSample")]
    [Access(Access.User)]
    [Tags("Samples")]
    [EndpointSummary("Create one")]
    [Consumes(typeof(SampleCreateRequest), "application/json")]
    [ProducesResponseType(typeof(SampleItemResponse), 201)]
    [ProducesResponseType(409, Description = "sample_taken: taken.")]
    public static IActionResult Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "samples")] HttpRequest req)
        => new OkResult();
}

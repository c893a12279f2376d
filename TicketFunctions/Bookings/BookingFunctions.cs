using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.Auth;
using TicketFunctions.Common;
using TicketFunctions.OpenApi;
using TicketFunctions.Telemetry;

namespace TicketFunctions.Bookings;

public sealed class BookingFunctions(BookingService bookings)
{
    private const string Tag = "Bookings";

    [Function("CreateBooking")]
    [Access(Access.User)]
    [Tags(Tag)]
    [EndpointSummary("Holds seats for a showtime")]
    [EndpointDescription("Give `seats` (such as [\"A1\", \"A2\"]) or `seatCount` (the best free seats are chosen, side by side where possible): exactly one, 1..10 seats. "
        + "The booking is PENDING and holds its seats until expiresAt (Bookings__HoldDuration, 10 minutes by default); unitPrice is the showtime's price now. "
        + "An unknown positive showtimeId answers 404; a showtimeId of 0 or below (no showtime can have it), a malformed body or field, 400 with the fields in errors.")]
    [Consumes(typeof(BookingRequest), "application/json")]
    [ProducesResponseType(typeof(BookingResponse), 201)]
    [ProducesResponseType(404, Description = "No showtime with this id.")]
    [ProducesResponseType(409, Description = "seats_taken (extension `seats` names them), not_enough_seats (extension `availableSeats` says how many are free), seat_limit (too many seats of one showtime for one account), showtime_started.")]
    [ProducesResponseType(503, Description = "PostgreSQL had to break a lock conflict of this hold with other work more than twice; Retry-After says when to try again. Nothing was written.")]
    public async Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "bookings")] HttpRequest req)
    {
        var caller = req.HttpContext.Caller();
        var body = await req.ReadJsonAsync<BookingRequest>(req.HttpContext.RequestAborted);
        var result = body.IsSuccess ? await bookings.CreateAsync(body.Value, caller, req.HttpContext.RequestAborted) : body.Error!;
        AppMetrics.HoldAnswered(result);
        return result.Match(b => new CreatedResult($"/api/bookings/{b.Id}", b), Problems.From);
    }

    [Function("ListBookings")]
    [Access(Access.User)]
    [Tags(Tag)]
    [EndpointSummary("Lists the caller's own bookings, newest first")]
    [EndpointDescription("A PENDING booking whose hold has ended is EXPIRED, in the answer and in the filter.")]
    [ApiQuery(typeof(BookingQuery))]
    [ProducesResponseType(typeof(PagedList<BookingResponse>), 200)]
    [ProducesResponseType(400, Description = "A query parameter is invalid.")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bookings")] HttpRequest req)
    {
        var caller = req.HttpContext.Caller();
        var query = req.ReadQuery<BookingQuery>();
        return query.Error is { } error ? Problems.From(error) : new OkObjectResult(await bookings.ListAsync(caller, query.Value, req.HttpContext.RequestAborted));
    }

    [Function("GetBooking")]
    [Access(Access.User)]
    [Tags(Tag)]
    [EndpointSummary("Gets a booking (its owner or an admin)")]
    [ProducesResponseType(typeof(BookingResponse), 200)]
    [ProducesResponseType(404, Description = "No booking with this id that the caller may see.")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bookings/{id:long}")] HttpRequest req, long id)
    {
        var caller = req.HttpContext.Caller();
        var booking = id > 0 ? await bookings.GetAsync(id, caller, req.HttpContext.RequestAborted) : null;
        return booking is null ? Problems.NotFound("No booking with this id.") : new OkObjectResult(booking);
    }

    [Function("CancelBooking")]
    [Access(Access.User)]
    [Tags(Tag)]
    [EndpointSummary("Cancels a booking and releases its seats")]
    [EndpointDescription("A PENDING (hold still running) or CONFIRMED booking becomes CANCELLED; a confirmed one's payment becomes REFUNDED in the same step. "
        + "The gateway's refund follows the answer and is retried until the gateway makes it, so a declined or failed refund call never undoes the cancellation. "
        + "A payment still PENDING for a cancelled booking fails with failureReason booking_cancelled and is not charged. Once the showtime has started only an admin may cancel.")]
    [ProducesResponseType(typeof(BookingResponse), 200)]
    [ProducesResponseType(404, Description = "No booking with this id that the caller may see.")]
    [ProducesResponseType(409, Description = "booking_not_cancellable (already CANCELLED or EXPIRED; extension `bookingStatus` says which), showtime_started (the owner cancels after the showtime began), booking_changed (the booking kept changing while it was being cancelled: read it and try again).")]
    public async Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "bookings/{id:long}/cancel")] HttpRequest req, long id)
    {
        var caller = req.HttpContext.Caller();
        var result = id > 0 ? await bookings.CancelAsync(id, caller, req.HttpContext.RequestAborted) : new Error.NotFound("No booking with this id.");
        return result.Match(b => new OkObjectResult(b), Problems.From);
    }
}

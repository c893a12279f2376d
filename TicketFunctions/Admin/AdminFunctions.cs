using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.Auth;
using TicketFunctions.Bookings;
using TicketFunctions.Common;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Admin;

public sealed class AdminFunctions(AdminService admin)
{
    [Function("AdminListBookings")]
    [Access(Access.Admin)]
    [Tags("Admin")]
    [EndpointSummary("List all bookings")]
    [EndpointDescription("Newest first. Each booking carries userEmail, movieTitle, theatreName, startsAt and paymentStatus (its latest payment's status, or null).")]
    [ApiQuery(typeof(AdminBookingQuery))]
    [ProducesResponseType(typeof(PagedList<AdminBookingResponse>), 200)]
    [ProducesResponseType(400, Description = "A query parameter is invalid.")]
    public async Task<IActionResult> ListBookings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/bookings")] HttpRequest req)
    {
        var query = req.ReadQuery<AdminBookingQuery>();
        return query.Error is { } error ? Problems.From(error) : new OkObjectResult(await admin.ListBookingsAsync(query.Value, req.HttpContext.RequestAborted));
    }

    [Function("AdminGetBooking")]
    [Access(Access.Admin)]
    [Tags("Admin")]
    [EndpointSummary("Read any booking with its user, seats and payments")]
    [ProducesResponseType(typeof(AdminBookingDetailResponse), 200)]
    [ProducesResponseType(404, Description = "No such booking.")]
    public async Task<IActionResult> GetBooking(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/bookings/{id:long}")] HttpRequest req, long id)
    {
        var booking = id > 0 ? await admin.GetBookingAsync(id, req.HttpContext.RequestAborted) : null;
        return booking is null ? Problems.NotFound($"There is no booking {id}.") : new OkObjectResult(booking);
    }

    [Function("AdminSalesReport")]
    [Access(Access.Admin)]
    [Tags("Admin")]
    [EndpointSummary("Sales per movie")]
    [EndpointDescription("Confirmed bookings only, for showtimes starting between from and to (both inclusive, both optional). Per movie with at least " +
            "one sale: ticketsSold (sum of seats), revenue (sum of booking totals) and showtimes (distinct showtimes with at least one confirmed " +
            "booking); ordered by revenue, highest first; totals over all movies.")]
    [ApiQuery(typeof(SalesQuery))]
    [ProducesResponseType(typeof(SalesReportResponse), 200)]
    [ProducesResponseType(400, Description = "from or to is invalid, or from is after to.")]
    public async Task<IActionResult> SalesReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/reports/sales")] HttpRequest req)
    {
        var query = req.ReadQuery<SalesQuery>();
        return query.Error is { } error ? Problems.From(error) : new OkObjectResult(await admin.SalesReportAsync(query.Value, req.HttpContext.RequestAborted));
    }
}

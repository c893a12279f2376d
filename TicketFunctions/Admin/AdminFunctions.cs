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
    [ApiQuery("status", typeof(string), OneOf = typeof(BookingStatus), Description = "PENDING, CONFIRMED, CANCELLED or EXPIRED; a PENDING booking whose hold has ended counts as EXPIRED.")]
    [ApiQuery("userId", typeof(long))]
    [ApiQuery("showtimeId", typeof(long))]
    [ApiQuery("movieId", typeof(long))]
    [ApiQuery("from", typeof(DateTime), Description = "Bookings created at or after this instant (the booking's createdAt, not the showtime's start). A date means 00:00Z that day.")]
    [ApiQuery("to", typeof(DateTime), Description = "Bookings created at or before this instant (the booking's createdAt, inclusive). A date means 00:00Z that day. Must not be before from.")]
    [ApiPaged]
    [ProducesResponseType(typeof(PagedList<AdminBookingResponse>), 200)]
    [ProducesResponseType(400, Description = "A query parameter is invalid.")]
    public async Task<IActionResult> ListBookings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/bookings")] HttpRequest req)
    {
        var q = new Query(req);
        var filter = new AdminBookingFilter(
            q.OneOf("status", BookingStatus.All), q.Int("userId"), q.Int("showtimeId"), q.Int("movieId"), q.Instant("from"), q.Instant("to"));
        var paging = q.Paging();
        CheckRange(q, filter.From, filter.To);
        return q.IsValid
            ? new OkObjectResult(await admin.ListBookingsAsync(filter, paging, req.HttpContext.RequestAborted))
            : Problems.Validation(q.Errors);
    }

    [Function("AdminGetBooking")]
    [Access(Access.Admin)]
    [Tags("Admin")]
    [EndpointSummary("Read any booking with its user, seats and payments")]
    [ProducesResponseType(typeof(AdminBookingDetailResponse), 200)]
    [ProducesResponseType(404, Description = "No such booking.")]
    public async Task<IActionResult> GetBooking(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/bookings/{id:long}")] HttpRequest req, long id)
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
    [ApiQuery("from", typeof(DateTime), Description = "Showtimes starting at or after this instant; a date means 00:00Z that day.")]
    [ApiQuery("to", typeof(DateTime), Description = "Showtimes starting at or before this instant; a date means 00:00Z that day. Must not be before from.")]
    [ProducesResponseType(typeof(SalesReportResponse), 200)]
    [ProducesResponseType(400, Description = "from or to is invalid, or from is after to.")]
    public async Task<IActionResult> SalesReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/reports/sales")] HttpRequest req)
    {
        var q = new Query(req);
        var (from, to) = (q.Instant("from"), q.Instant("to"));
        CheckRange(q, from, to);
        return q.IsValid
            ? new OkObjectResult(await admin.SalesReportAsync(from, to, req.HttpContext.RequestAborted))
            : Problems.Validation(q.Errors);
    }

    private static void CheckRange(Query q, DateTime? from, DateTime? to)
    {
        if (from > to)
        {
            q.Fail("to", "Must not be before from.");
        }
    }
}

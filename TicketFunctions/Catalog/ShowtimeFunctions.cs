using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.Auth;
using TicketFunctions.Common;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Catalog;

public sealed class ShowtimeFunctions(ShowtimeService showtimes)
{
    private const string Tag = "Showtimes";

    [Function("ListShowtimes")]
    [Access(Access.Anonymous)]
    [Tags(Tag)]
    [EndpointSummary("Lists showtimes by start time")]
    [EndpointDescription("Upcoming showtimes only (startsAt now or later) unless includePast=true.")]
    [ApiQuery(typeof(ShowtimeQuery))]
    [ProducesResponseType(typeof(PagedList<ShowtimeResponse>), 200)]
    [ProducesResponseType(400, Description = "A query parameter is invalid.")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "showtimes")] HttpRequest req)
    {
        var query = req.ReadQuery<ShowtimeQuery>();
        return query.Error is { } error ? Problems.From(error) : new OkObjectResult(await showtimes.ListAsync(query.Value, req.HttpContext.RequestAborted));
    }

    [Function("GetShowtime")]
    [Access(Access.Anonymous)]
    [Tags(Tag)]
    [EndpointSummary("Gets a showtime with its free seat count")]
    [ProducesResponseType(typeof(ShowtimeResponse), 200)]
    [ProducesResponseType(404, Description = "No showtime with this id.")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "showtimes/{id:long}")] HttpRequest req, long id)
    {
        var showtime = id > 0 ? await showtimes.GetAsync(id, req.HttpContext.RequestAborted) : null;
        return showtime is null ? Problems.NotFound("No showtime with this id.") : new OkObjectResult(showtime);
    }

    [Function("GetShowtimeSeats")]
    [Access(Access.Anonymous)]
    [Tags(Tag)]
    [EndpointSummary("Gets the seat map of a showtime")]
    [EndpointDescription("Every seat in row-major order with status available, held (a pending booking) or booked. A hold that has ended is available at once.")]
    [ProducesResponseType(typeof(SeatMapResponse), 200)]
    [ProducesResponseType(404, Description = "No showtime with this id.")]
    public async Task<IActionResult> Seats(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "showtimes/{id:long}/seats")] HttpRequest req, long id)
    {
        var map = id > 0 ? await showtimes.GetSeatMapJsonAsync(id, req.HttpContext.RequestAborted) : null;
        return map is null ? Problems.NotFound("No showtime with this id.") : new SeatMapJson.Result(map);
    }

    [Function("CreateShowtime")]
    [Access(Access.Admin)]
    [Tags(Tag)]
    [EndpointSummary("Schedules a showtime")]
    [EndpointDescription("endsAt = startsAt + the movie's length.")]
    [Consumes(typeof(ShowtimeRequest), "application/json")]
    [ProducesResponseType(typeof(ShowtimeResponse), 201)]
    [ProducesResponseType(404, Description = "No movie or no theatre with the id sent.")]
    [ProducesResponseType(409, Description = "showtime_overlap: another showtime in the theatre overlaps; conflictingShowtimeId names it.")]
    public async Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "showtimes")] HttpRequest req)
    {
        var body = await req.ReadJsonAsync<ShowtimeRequest>(req.HttpContext.RequestAborted);
        var result = body.IsSuccess ? await showtimes.CreateAsync(body.Value, req.HttpContext.RequestAborted) : body.Error!;
        return result.Match(s => new CreatedResult($"/api/showtimes/{s.Id}", s), Problems.From);
    }
}

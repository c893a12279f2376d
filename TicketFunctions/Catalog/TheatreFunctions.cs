using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.Auth;
using TicketFunctions.Common;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Catalog;

public sealed class TheatreFunctions(TheatreService theatres)
{
    private const string Tag = "Theatres";

    [Function("ListTheatres")]
    [Access(Access.Anonymous)]
    [Tags(Tag)]
    [EndpointSummary("Lists theatres by name")]
    [ApiQuery(typeof(TheatreQuery))]
    [ProducesResponseType(typeof(PagedList<TheatreResponse>), 200)]
    [ProducesResponseType(400, Description = "A query parameter is invalid.")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "theatres")] HttpRequest req)
    {
        var query = req.ReadQuery<TheatreQuery>();
        return query.Error is { } error ? Problems.From(error) : new OkObjectResult(await theatres.ListAsync(query.Value, req.HttpContext.RequestAborted));
    }

    [Function("GetTheatre")]
    [Access(Access.Anonymous)]
    [Tags(Tag)]
    [EndpointSummary("Gets a theatre")]
    [ProducesResponseType(typeof(TheatreResponse), 200)]
    [ProducesResponseType(404, Description = "No theatre with this id.")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "theatres/{id:long}")] HttpRequest req, long id)
    {
        var theatre = id > 0 ? await theatres.GetAsync(id, req.HttpContext.RequestAborted) : null;
        return theatre is null ? Problems.NotFound("No theatre with this id.") : new OkObjectResult(theatre);
    }

    [Function("CreateTheatre")]
    [Access(Access.Admin)]
    [Tags(Tag)]
    [EndpointSummary("Adds a theatre")]
    [EndpointDescription("Seats are named by row letter and number: A1..Z50.")]
    [Consumes(typeof(TheatreRequest), "application/json")]
    [ProducesResponseType(typeof(TheatreResponse), 201)]
    public async Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "theatres")] HttpRequest req)
    {
        var body = await req.ReadJsonAsync<TheatreRequest>(req.HttpContext.RequestAborted);
        var result = body.IsSuccess ? await theatres.CreateAsync(body.Value, req.HttpContext.RequestAborted) : body.Error!;
        return result.Match(t => new CreatedResult($"/api/theatres/{t.Id}", t), Problems.From);
    }

    [Function("UpdateTheatre")]
    [Access(Access.Admin)]
    [Tags(Tag)]
    [EndpointSummary("Replaces a theatre")]
    [EndpointDescription("seatRows and seatsPerRow may change only while the theatre has no showtimes.")]
    [Consumes(typeof(TheatreRequest), "application/json")]
    [ProducesResponseType(typeof(TheatreResponse), 200)]
    [ProducesResponseType(404, Description = "No theatre with this id.")]
    [ProducesResponseType(409, Description = "theatre_has_showtimes: the layout cannot change while showtimes exist.")]
    public async Task<IActionResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "theatres/{id:long}")] HttpRequest req, long id)
    {
        var body = await req.ReadJsonAsync<TheatreRequest>(req.HttpContext.RequestAborted);
        var result = body.IsSuccess ? await theatres.UpdateAsync(id, body.Value, req.HttpContext.RequestAborted) : body.Error!;
        return result.Match(t => new OkObjectResult(t), Problems.From);
    }
}

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.Auth;
using TicketFunctions.Common;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Catalog;

public sealed class TheatreFunctions(TheatreService theatres, Authenticator authenticator)
{
    private const string Tag = "Theatres";

    [Function("ListTheatres")]
    [ApiOperation(Tag, "Lists theatres by name", Description = "`city` matches the whole city name, ignoring case.")]
    [ApiQuery("city", typeof(string))]
    [ApiPaged]
    [ApiResponse(200, typeof(PagedList<TheatreResponse>))]
    [ApiResponse(400, Description = "A query parameter is invalid.")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "theatres")] HttpRequest req)
    {
        var query = new Query(req);
        var city = query.String("city", 100);
        var paging = query.Paging();
        if (!query.IsValid)
        {
            return Problems.Validation(query.Errors);
        }

        return new OkObjectResult(await theatres.ListAsync(city, paging, req.HttpContext.RequestAborted));
    }

    [Function("GetTheatre")]
    [ApiOperation(Tag, "Gets a theatre")]
    [ApiResponse(200, typeof(TheatreResponse))]
    [ApiResponse(404, Description = "No theatre with this id.")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "theatres/{id:long}")] HttpRequest req, long id)
    {
        var theatre = id > 0 ? await theatres.GetAsync(id, req.HttpContext.RequestAborted) : null;
        return theatre is null ? Problems.NotFound("No theatre with this id.") : new OkObjectResult(theatre);
    }

    [Function("CreateTheatre")]
    [ApiOperation(Tag, "Adds a theatre", Access = ApiAccess.Admin, Description = "Seats are named by row letter and number: A1..Z50.")]
    [ApiRequestBody(typeof(TheatreRequest))]
    [ApiResponse(201, typeof(TheatreResponse))]
    public async Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "theatres")] HttpRequest req)
    {
        if (!(await authenticator.AuthenticateAdminAsync(req)).TryGetCaller(out _, out var denied))
        {
            return denied;
        }

        var body = await req.ReadJsonAsync<TheatreRequest>(req.HttpContext.RequestAborted);
        var result = body.IsSuccess ? await theatres.CreateAsync(body.Value, req.HttpContext.RequestAborted) : body.Error!;
        return result.Match(t => new CreatedResult($"/api/theatres/{t.Id}", t), Problems.From);
    }

    [Function("UpdateTheatre")]
    [ApiOperation(Tag, "Replaces a theatre", Access = ApiAccess.Admin, Description = "seatRows and seatsPerRow may change only while the theatre has no showtimes.")]
    [ApiRequestBody(typeof(TheatreRequest))]
    [ApiResponse(200, typeof(TheatreResponse))]
    [ApiResponse(404, Description = "No theatre with this id.")]
    [ApiResponse(409, Description = "theatre_has_showtimes: the layout cannot change while showtimes exist.")]
    public async Task<IActionResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "theatres/{id:long}")] HttpRequest req, long id)
    {
        if (!(await authenticator.AuthenticateAdminAsync(req)).TryGetCaller(out _, out var denied))
        {
            return denied;
        }

        var body = await req.ReadJsonAsync<TheatreRequest>(req.HttpContext.RequestAborted);
        var result = body.IsSuccess ? await theatres.UpdateAsync(id, body.Value, req.HttpContext.RequestAborted) : body.Error!;
        return result.Match(t => new OkObjectResult(t), Problems.From);
    }
}

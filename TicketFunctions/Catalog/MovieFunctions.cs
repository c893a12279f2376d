using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.Auth;
using TicketFunctions.Common;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Catalog;

public sealed class MovieFunctions(MovieService movies)
{
    private const string Tag = "Movies";

    [Function("ListMovies")]
    [Access(Access.Anonymous)]
    [Tags(Tag)]
    [EndpointSummary("Lists movies by title")]
    [ApiQuery(typeof(MovieQuery))]
    [ProducesResponseType(typeof(PagedList<MovieResponse>), 200)]
    [ProducesResponseType(400, Description = "A query parameter is invalid.")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "movies")] HttpRequest req)
    {
        var query = req.ReadQuery<MovieQuery>();
        return query.Error is { } error ? Problems.From(error) : new OkObjectResult(await movies.ListAsync(query.Value, req.HttpContext.RequestAborted));
    }

    [Function("GetMovie")]
    [Access(Access.Anonymous)]
    [Tags(Tag)]
    [EndpointSummary("Gets a movie")]
    [ProducesResponseType(typeof(MovieResponse), 200)]
    [ProducesResponseType(404, Description = "No movie with this id.")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "movies/{id:long}")] HttpRequest req, long id)
    {
        var movie = id > 0 ? await movies.GetAsync(id, req.HttpContext.RequestAborted) : null;
        return movie is null ? Problems.NotFound("No movie with this id.") : new OkObjectResult(movie);
    }

    [Function("CreateMovie")]
    [Access(Access.Admin)]
    [Tags(Tag)]
    [EndpointSummary("Adds a movie")]
    [Consumes(typeof(MovieRequest), "application/json")]
    [ProducesResponseType(typeof(MovieResponse), 201)]
    public async Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "movies")] HttpRequest req)
    {
        var body = await req.ReadJsonAsync<MovieRequest>(req.HttpContext.RequestAborted);
        var result = body.IsSuccess ? await movies.CreateAsync(body.Value, req.HttpContext.RequestAborted) : body.Error!;
        return result.Match(m => new CreatedResult($"/api/movies/{m.Id}", m), Problems.From);
    }

    [Function("UpdateMovie")]
    [Access(Access.Admin)]
    [Tags(Tag)]
    [EndpointSummary("Replaces a movie")]
    [EndpointDescription("Showtimes already scheduled keep their end time.")]
    [Consumes(typeof(MovieRequest), "application/json")]
    [ProducesResponseType(typeof(MovieResponse), 200)]
    [ProducesResponseType(404, Description = "No movie with this id.")]
    public async Task<IActionResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "movies/{id:long}")] HttpRequest req, long id)
    {
        var body = await req.ReadJsonAsync<MovieRequest>(req.HttpContext.RequestAborted);
        var result = body.IsSuccess ? await movies.UpdateAsync(id, body.Value, req.HttpContext.RequestAborted) : body.Error!;
        return result.Match(m => new OkObjectResult(m), Problems.From);
    }

    [Function("DeleteMovie")]
    [Access(Access.Admin)]
    [Tags(Tag)]
    [EndpointSummary("Deletes a movie that has no showtimes")]
    [ProducesResponseType(204)]
    [ProducesResponseType(404, Description = "No movie with this id.")]
    [ProducesResponseType(409, Description = "movie_has_showtimes: the movie has showtimes (past ones included).")]
    public async Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "movies/{id:long}")] HttpRequest req, long id)
    {
        var error = await movies.DeleteAsync(id, req.HttpContext.RequestAborted);
        return error is null ? new NoContentResult() : Problems.From(error);
    }
}

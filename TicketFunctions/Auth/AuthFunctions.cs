using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using TicketFunctions.Common;

namespace TicketFunctions.Auth;

public sealed class AuthFunctions(AuthService auth)
{
    [Function("Register")]
    [Access(Access.Anonymous)]
    [Tags("Auth")]
    [EndpointSummary("Register a new user")]
    [EndpointDescription("Email is unique case-insensitively; passwords have 8 to 128 characters. The role is always User.")]
    [Consumes(typeof(RegisterRequest), "application/json")]
    [ProducesResponseType(typeof(UserResponse), 201, Description = "The new user.")]
    [ProducesResponseType(409, Description = "The email is already registered.")]
    public async Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/register")] HttpRequest req)
    {
        var body = await req.ReadJsonAsync<RegisterRequest>(req.HttpContext.RequestAborted);
        if (!body.IsSuccess)
        {
            return Problems.From(body.Error!);
        }

        var result = await auth.RegisterAsync(body.Value, req.HttpContext.RequestAborted);
        return result.Match(
            user => new CreatedResult("/api/auth/me", UserResponse.From(user)),
            Problems.From);
    }

    [Function("Login")]
    [Access(Access.Anonymous)]
    [Tags("Auth")]
    [EndpointSummary("Log in for a bearer token")]
    [Consumes(typeof(LoginRequest), "application/json")]
    [ProducesResponseType(typeof(LoginResponse), 200, Description = "The access token and the user.")]
    [ProducesResponseType(401, Description = "The email or password is wrong.")]
    [ProducesResponseType(429, Description = "Too many failed logins for this email in the window (Login__MaxFailures, Login__FailureWindow); Retry-After says when to try again.")]
    public async Task<IActionResult> Login(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/login")] HttpRequest req)
    {
        var body = await req.ReadJsonAsync<LoginRequest>(req.HttpContext.RequestAborted);
        if (!body.IsSuccess)
        {
            return Problems.From(body.Error!);
        }

        var login = await auth.LoginAsync(body.Value, ClientAddress.Of(req.HttpContext), req.HttpContext.RequestAborted);
        // A bearer token must never be kept by a cache on the way (RFC 6749, section 5.1).
        return login.Match(l => new Problems.WithHeader(new OkObjectResult(l), HeaderNames.CacheControl, "no-store"), Problems.From);
    }

    [Function("Me")]
    [Access(Access.User)]
    [Tags("Auth")]
    [EndpointSummary("The signed-in user")]
    [ProducesResponseType(typeof(UserResponse), 200)]
    [ProducesResponseType(404, Description = "The user no longer exists.")]
    public async Task<IActionResult> Me(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "auth/me")] HttpRequest req)
    {
        var caller = req.HttpContext.Caller();
        var user = await auth.GetAsync(caller.Id, req.HttpContext.RequestAborted);
        return user is null ? Problems.NotFound("The user no longer exists.") : new OkObjectResult(UserResponse.From(user));
    }
}

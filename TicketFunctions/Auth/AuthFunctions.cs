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
    [EndpointDescription("Emails are compared as RFC 8265 (PRECIS) and Unicode TS #39 advise: case, width and compatibility forms do not make "
        + "another email, and neither do look-alike letters from other scripts (Cyrillic а for Latin a), digits that read as letters (0 and O, 1 and l) "
        + "or added accents: an email that reads like a registered one answers 409. An email with invisible or formatting characters (zero-width "
        + "spaces, bidirectional controls, soft hyphens), spaces, or a domain that ends in a dot answers 400. Passwords have 8 to 128 characters. "
        + "The role is always User.")]
    [Consumes(typeof(RegisterRequest), "application/json")]
    [ProducesResponseType(typeof(UserResponse), 201, Description = "The new user.")]
    [ProducesResponseType(409, Description = "email_taken: the email, or one that reads the same, is already registered.")]
    [ProducesResponseType(503, Description = "The server is busy hashing other passwords (a burst beyond what Passwords__QueueTimeout lets it finish); Retry-After says when to try again. Nothing was written.")]
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
    [EndpointDescription("Failed logins are counted per email and client address (Login__MaxFailures, 10 by default) and per email from all addresses "
        + "together (Login__MaxFailuresPerEmail, 100), in a window (Login__FailureWindow, 15 minutes): a stranger guessing from one address is refused "
        + "there, while the owner logging in from theirs gets in. The client address is the one the Functions host forwards (X-Forwarded-For, which the "
        + "host writes itself); IPv6 addresses count per /64.")]
    [ProducesResponseType(429, Description = "Too many failed logins for this email from this address, or from all addresses; Retry-After is the seconds until a try can succeed.")]
    [ProducesResponseType(503, Description = "The server is busy hashing other passwords; Retry-After says when to try again. The attempt is not counted as a failure.")]
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

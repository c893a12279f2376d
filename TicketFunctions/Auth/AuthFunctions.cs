using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using TicketFunctions.Common;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Auth;

public sealed class AuthFunctions(AuthService auth, Authenticator authenticator)
{
    [Function("Register")]
    [ApiOperation("Auth", "Register a new user", Description = "Email is unique case-insensitively; passwords have 8 to 128 characters. The role is always User.")]
    [ApiRequestBody(typeof(RegisterRequest))]
    [ApiResponse(201, typeof(UserResponse), Description = "The new user.")]
    [ApiResponse(409, Description = "The email is already registered.")]
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
    [ApiOperation("Auth", "Log in for a bearer token")]
    [ApiRequestBody(typeof(LoginRequest))]
    [ApiResponse(200, typeof(LoginResponse), Description = "The access token and the user.")]
    [ApiResponse(401, Description = "The email or password is wrong.")]
    [ApiResponse(429, Description = "Too many failed logins for this email in the window (Login__MaxFailures, Login__FailureWindow); Retry-After says when to try again.")]
    public async Task<IActionResult> Login(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/login")] HttpRequest req)
    {
        var body = await req.ReadJsonAsync<LoginRequest>(req.HttpContext.RequestAborted);
        if (!body.IsSuccess)
        {
            return Problems.From(body.Error!);
        }

        var login = await auth.LoginAsync(body.Value, req.HttpContext.RequestAborted);
        // A bearer token must never be kept by a cache on the way (RFC 6749, section 5.1).
        return login.Match(l => new Problems.WithHeader(new OkObjectResult(l), HeaderNames.CacheControl, "no-store"), Problems.From);
    }

    [Function("Me")]
    [ApiOperation("Auth", "The signed-in user", Access = ApiAccess.User)]
    [ApiResponse(200, typeof(UserResponse))]
    [ApiResponse(404, Description = "The user no longer exists.")]
    public async Task<IActionResult> Me(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "auth/me")] HttpRequest req)
    {
        if (!(await authenticator.AuthenticateAsync(req)).TryGetCaller(out var caller, out var denied))
        {
            return denied;
        }

        var user = await auth.GetAsync(caller.Id, req.HttpContext.RequestAborted);
        return user is null ? Problems.NotFound("The user no longer exists.") : new OkObjectResult(UserResponse.From(user));
    }
}

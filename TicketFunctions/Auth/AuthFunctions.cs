using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.Common;

namespace TicketFunctions.Auth;

public sealed class AuthFunctions(AuthService auth, Authenticator authenticator)
{
    [Function("Register")]
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
    public async Task<IActionResult> Login(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/login")] HttpRequest req)
    {
        var body = await req.ReadJsonAsync<LoginRequest>(req.HttpContext.RequestAborted);
        if (!body.IsSuccess)
        {
            return Problems.From(body.Error!);
        }

        var login = await auth.LoginAsync(body.Value, req.HttpContext.RequestAborted);
        return login is null
            ? Problems.Unauthorized("The email or password is wrong.", error: null)
            : new OkObjectResult(login);
    }

    [Function("Me")]
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

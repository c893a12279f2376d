using TicketFunctions.Auth;

namespace TicketFunctions.Tests.Support;

public sealed partial class TestApp
{
    private int _users;

    public async Task<TestResponse> Call(Func<Task<Microsoft.AspNetCore.Mvc.IActionResult>> function) => await Send(await function());

    /// <summary>Registers a new user through the real function and logs them in: (token, user id).</summary>
    public async Task<(string Token, long UserId)> RegisterAndLogin(string? email = null, string password = "Password-123")
    {
        email ??= $"user{Interlocked.Increment(ref _users)}-{Guid.NewGuid():N}@example.com";
        var auth = Function<AuthFunctions>();
        var registered = await Call(() => auth.Register(Request("POST", "/api/auth/register", new { email, password, fullName = "Test User" })));
        Assert.True(registered.Status == 201, registered.ToString());
        return await Login(email, password);
    }

    public async Task<(string Token, long UserId)> Login(string email, string password)
    {
        var auth = Function<AuthFunctions>();
        var login = await Call(() => auth.Login(Request("POST", "/api/auth/login", new { email, password })));
        Assert.True(login.Status == 200, login.ToString());
        return (login.Json.GetProperty("accessToken").GetString()!, login.Json.GetProperty("user").GetProperty("id").GetInt64());
    }

    public Task<(string Token, long UserId)> LoginAsAdmin() => Login(AdminEmail, AdminPassword);
}

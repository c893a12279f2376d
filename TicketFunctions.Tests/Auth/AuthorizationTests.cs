using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.Auth;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Auth;

/// <summary>
/// Who may call what is declared once per function ([Access]) and enforced by the authorization middleware, which
/// denies by default: these tests walk every HTTP function of the app.
/// </summary>
public sealed class AuthorizationTests
{
    private static IEnumerable<MethodInfo> HttpFunctions()
        => typeof(AccessAttribute).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null
                && m.GetParameters().Any(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null));

    public static TheoryData<string> Functions()
    {
        var data = new TheoryData<string>();
        foreach (var method in HttpFunctions())
        {
            data.Add($"{method.DeclaringType!.FullName}.{method.Name}");
        }

        return data;
    }

    [Fact]
    public void Every_http_function_declares_who_may_call_it()
    {
        var functions = HttpFunctions().ToList();
        Assert.True(functions.Count >= 28, $"only {functions.Count} HTTP functions found");
        Assert.All(functions, f => Assert.True(AuthorizationMiddleware.AccessOf($"{f.DeclaringType!.FullName}.{f.Name}") is not null, $"{f.Name} has no [Access]"));
    }

    [Fact]
    public async Task A_function_without_a_declaration_is_refused_whoever_calls()
    {
        await using var app = await TestApp.StartAsync();
        var admin = await app.AdminToken();
        var request = app.Request("GET", "/api/undeclared", token: admin);

        var denied = await app.Get<Authenticator>().AuthorizeAsync(request.HttpContext, AuthorizationMiddleware.AccessOf("TicketFunctions.Nowhere.Undeclared"));

        Assert.NotNull(denied);
        Assert.Equal(403, (await app.Send(denied)).Status);
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public async Task Each_function_answers_401_403_or_lets_through_as_it_declares(string entryPoint)
    {
        await using var app = await TestApp.StartAsync();
        var access = AuthorizationMiddleware.AccessOf(entryPoint);
        var (user, _) = await app.RegisterAndLogin();
        var admin = await app.AdminToken();

        async Task<int?> StatusFor(string? token)
        {
            var request = app.Request("GET", "/api/x", token: token);
            request.HttpContext.Items.Clear();
            var denied = await app.Get<Authenticator>().AuthorizeAsync(request.HttpContext, access);
            if (denied is null)
            {
                // Let through: a caller is on the request exactly when the function needs one.
                Assert.Equal(access != Access.Anonymous, request.HttpContext.Items.Count > 0);
                return null;
            }

            var response = await app.Send(denied);
            Assert.True(response.IsProblem, response.ToString());
            return response.Status;
        }

        var anonymous = await StatusFor(null);
        var forged = await StatusFor(user[..^4] + "AAAA");
        var asUser = await StatusFor(user);
        var asAdmin = await StatusFor(admin);

        switch (access)
        {
            case Access.Anonymous:
                Assert.Equal([null, null, null, null], [anonymous, forged, asUser, asAdmin]);
                break;
            case Access.User:
                Assert.Equal([401, 401, null, null], [anonymous, forged, asUser, asAdmin]);
                break;
            case Access.Admin:
                Assert.Equal([401, 401, 403, null], [anonymous, forged, asUser, asAdmin]);
                break;
            default:
                Assert.Fail($"{entryPoint} declares no access");
                break;
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.EndToEnd;

/// <summary>The README's first steps, over real HTTP on the local host with a real Azurite.</summary>
public sealed class AuthOverHttpTests : IClassFixture<AzuriteFixture>
{
    private readonly AzuriteFixture _azurite;

    public AuthOverHttpTests(AzuriteFixture azurite) => _azurite = azurite;

    [Fact]
    public async Task Health_register_login_and_me_work_end_to_end()
    {
        await using var app = await LocalHostApp.StartAsync(_azurite);

        using var health = await app.Get("api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var report = await health.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("queue").GetString());

        using var registered = await app.Post("api/auth/register", new { email = "e2e@example.com", password = "Password-123", fullName = "End To End" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal("application/json; charset=utf-8", registered.Content.Headers.ContentType?.ToString());
        Assert.NotNull(registered.Headers.Location);

        var (token, userId) = await app.Login("e2e@example.com", "Password-123");
        using var me = await app.Get("api/auth/me", token);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(userId, (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());

        using var anonymous = await app.Get("api/auth/me");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Health_answers_503_when_the_queue_service_is_unreachable()
    {
        // An Azurite of its own, stopped once the app runs: the queue service goes away under the app.
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        await using var app = await LocalHostApp.StartAsync(azurite);
        await azurite.DisposeAsync();

        using var health = await app.Get("api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var report = await health.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", report.GetProperty("checks").GetProperty("queue").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("database").GetString());
    }

    [Fact]
    public async Task Malformed_json_over_http_answers_400_problem_and_a_huge_body_413()
    {
        await using var app = await LocalHostApp.StartAsync(_azurite);

        using var malformed = await app.Post("api/auth/register", "{\"email\": ");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);

        using var huge = await app.Post("api/auth/register", new string('x', 200_000));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal("application/problem+json", huge.Content.Headers.ContentType?.MediaType);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TicketFunctions.Common;

namespace TicketFunctions.Tests.Support;

/// <summary>
/// A client of the API over real HTTP, for any running host (in process or a real process): the README's steps as
/// verbs, each answer read fully so tests can assert status, headers and body.
/// </summary>
public sealed class ApiClient(HttpClient http)
{
    public HttpClient Http => http;

    /// <summary>A client that may hold <paramref name="connections"/> connections at once, for races.</summary>
    public static ApiClient ForRaces(Uri baseAddress, int connections)
    {
#pragma warning disable CA2000 // The HttpClient owns and disposes the handler.
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
#pragma warning restore CA2000
        return new ApiClient(new HttpClient(new OpenApiValidatingHandler(handler), disposeHandler: true) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) });
    }

    public async Task<ApiResponse> Send(HttpMethod method, string path, object? body = null, string? token = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json.Options);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        configure?.Invoke(request);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.Location, text);
    }

    public Task<ApiResponse> Get(string path, string? token = null) => Send(HttpMethod.Get, path, token: token);

    public Task<ApiResponse> Post(string path, object? body, string? token = null) => Send(HttpMethod.Post, path, body, token);

    public async Task<string> Login(string email, string password)
        => (await Post("api/auth/login", new { email, password })).Expect(HttpStatusCode.OK).Json.GetProperty("accessToken").GetString()!;

    public Task<string> LoginAsAdmin() => Login(TestApp.AdminEmail, TestApp.AdminPassword);

    /// <summary>Registers a new user and logs in: (token, user id).</summary>
    public async Task<(string Token, long UserId)> RegisterAndLogin()
    {
        var email = $"e2e-{Guid.NewGuid():N}@example.com";
        (await Post("api/auth/register", new { email, password = "Password-123", fullName = "End To End" })).Expect(HttpStatusCode.Created);
        var login = (await Post("api/auth/login", new { email, password = "Password-123" })).Expect(HttpStatusCode.OK).Json;
        return (login.GetProperty("accessToken").GetString()!, login.GetProperty("user").GetProperty("id").GetInt64());
    }

    /// <summary>As an admin: a movie, a theatre of the given size and a showtime a day ahead; the showtime's id.</summary>
    public async Task<long> CreateShowtime(string adminToken, int seatRows = 5, int seatsPerRow = 10, decimal price = 12.50m)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var movie = (await Post("api/movies", new { title = $"Film {suffix}", description = "A film.", genre = "Drama", durationMinutes = 100, rating = "PG-13", releaseDate = "2026-01-01" }, adminToken))
            .Expect(HttpStatusCode.Created).Id;
        var theatre = (await Post("api/theatres", new { name = $"Hall {suffix}", city = "Lisbon", address = "1 Main Street", seatRows, seatsPerRow }, adminToken))
            .Expect(HttpStatusCode.Created).Id;
        var startsAt = DateTime.UtcNow.Date.AddDays(2).AddHours(20);
        return (await Post("api/showtimes", new { movieId = movie, theatreId = theatre, startsAt, price }, adminToken)).Expect(HttpStatusCode.Created).Id;
    }

    public Task<ApiResponse> Book(string token, long showtimeId, params string[] seats) => Post("api/bookings", new { showtimeId, seats }, token);

    public Task<ApiResponse> Pay(string token, long bookingId, string paymentToken) => Post("api/payments", new { bookingId, paymentToken }, token);

    /// <summary>The seat map's status per seat label.</summary>
    public async Task<Dictionary<string, string>> SeatMap(long showtimeId)
        => (await Get($"api/showtimes/{showtimeId}/seats")).Expect(HttpStatusCode.OK).Json.GetProperty("seats").EnumerateArray()
            .ToDictionary(s => s.GetProperty("seat").GetString()!, s => s.GetProperty("status").GetString()!);

    /// <summary>
    /// Reads <paramref name="path"/> until <paramref name="done"/> holds, failing after <paramref name="timeout"/>
    /// with the last answer: a deadline, never a sleep that the test's correctness depends on.
    /// </summary>
    public async Task<ApiResponse> PollUntil(string path, string token, Func<ApiResponse, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var answer = await Get(path, token);
            if (done(answer))
            {
                return answer;
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"GET {path} did not reach the expected state within {timeout.TotalSeconds} s; last answer: {answer}");
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>What a client received: status, media type, Location and the body as text and JSON.</summary>
public sealed record ApiResponse(HttpStatusCode Status, string? MediaType, Uri? Location, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public long Id => Json.GetProperty("id").GetInt64();

    public bool IsProblem => MediaType == Problems.ContentType;

    public string? Field(string name) => Json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public ApiResponse Expect(HttpStatusCode status)
    {
        Assert.True(Status == status, $"expected {(int)status}, got {this}");
        return this;
    }

    public override string ToString() => $"{(int)Status} {MediaType} {Body}";
}

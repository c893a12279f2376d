using TicketFunctions.Catalog;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Common;

/// <summary>
/// One rule for ids, as the OpenAPI description states it: an id of 0 or below in a body can name nothing and is a
/// field error (400, in errors); a positive id that names nothing of the caller's is 404, and so is any id in a path.
/// </summary>
public sealed class IdRuleTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public async Task A_non_positive_id_in_a_body_is_a_400_field_error_on_every_route_that_takes_one(long id)
    {
        var (token, _) = await _app.RegisterAndLogin();
        var movie = await _app.CreateMovie();
        var theatre = await _app.CreateTheatre();

        var booking = await _app.Book(token, id, "A1");
        var payment = (await _app.Pay(token, id)).Response;
        var showtime = await _app.Call(async () => await _app.Function<ShowtimeFunctions>().Create(_app.Request("POST", "/api/showtimes",
            new { movieId = id, theatreId = theatre, startsAt = _app.Clock.GetUtcNow().UtcDateTime.AddDays(1), price = 10m }, await _app.AdminToken())));
        var showtimeTheatre = await _app.Call(async () => await _app.Function<ShowtimeFunctions>().Create(_app.Request("POST", "/api/showtimes",
            new { movieId = movie, theatreId = id, startsAt = _app.Clock.GetUtcNow().UtcDateTime.AddDays(1), price = 10m }, await _app.AdminToken())));

        AssertFieldError(booking, "showtimeId");
        AssertFieldError(payment, "bookingId");
        AssertFieldError(showtime, "movieId");
        AssertFieldError(showtimeTheatre, "theatreId");
    }

    [Fact]
    public async Task A_positive_id_that_names_nothing_answers_404_in_a_body_and_in_a_path()
    {
        var (token, _) = await _app.RegisterAndLogin();
        var theatre = await _app.CreateTheatre();

        var booking = await _app.Book(token, 987_654, "A1");
        var payment = (await _app.Pay(token, 987_654)).Response;
        var showtime = await _app.Call(async () => await _app.Function<ShowtimeFunctions>().Create(_app.Request("POST", "/api/showtimes",
            new { movieId = 987_654, theatreId = theatre, startsAt = _app.Clock.GetUtcNow().UtcDateTime.AddDays(1), price = 10m }, await _app.AdminToken())));
        var pathZero = await _app.Call(() => _app.Function<MovieFunctions>().Get(_app.Request("GET", "/api/movies/0"), 0));
        var pathUnknown = await _app.Call(() => _app.Function<MovieFunctions>().Get(_app.Request("GET", "/api/movies/987654"), 987_654));

        Assert.All(new[] { booking, payment, showtime, pathZero, pathUnknown }, r =>
        {
            Assert.Equal(404, r.Status);
            Assert.True(r.IsProblem, r.ToString());
        });
    }

    private static void AssertFieldError(TestResponse response, string field)
    {
        Assert.True(response.Status == 400, response.ToString());
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out var messages), response.ToString());
        Assert.Contains("positive", messages[0].GetString(), StringComparison.Ordinal);
    }
}

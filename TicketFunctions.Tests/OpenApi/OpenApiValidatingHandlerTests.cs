using System.Net;
using System.Text;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.OpenApi;

/// <summary>The end-to-end tests' check of each answer against the document refuses what the document does not say.</summary>
public sealed class OpenApiValidatingHandlerTests
{
    private const string Booking = """
        {"id":7,"showtimeId":1,"userId":2,"seats":["A1"],"seatCount":1,"unitPrice":12.50,"totalPrice":12.50,"status":"PENDING",
         "createdAt":"2027-01-01T18:00:00Z","expiresAt":"2027-01-01T18:10:00Z","confirmedAt":null}
        """;

    [Fact]
    public async Task An_answer_as_documented_passes()
    {
        using var response = await Send("/api/bookings/7", HttpStatusCode.OK, "application/json", Booking);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"PENDING\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, "application/json", "\"status\":\"PENDING\"", "\"status\":\"HELD\"", "does not match its schema")]
    [InlineData(HttpStatusCode.OK, "application/json", "\"seatCount\":1,", "", "does not match its schema")]
    [InlineData(HttpStatusCode.OK, "application/json", "\"confirmedAt\":null", "\"confirmedAt\":null,\"extra\":1", "does not match its schema")]
    [InlineData(HttpStatusCode.OK, "text/plain", "", "", "media type text/plain")]
    [InlineData(HttpStatusCode.Conflict, "application/problem+json", "", "", "status 409 is not one of its answers")]
    public async Task An_answer_the_document_does_not_describe_fails_the_send(HttpStatusCode status, string mediaType, string find, string replace, string reason)
    {
        var body = find.Length == 0 ? Booking : Booking.Replace(find, replace, StringComparison.Ordinal);

        var failure = await Assert.ThrowsAsync<OpenApiMismatchException>(() => Send("/api/bookings/7", status, mediaType, body));

        Assert.Contains(reason, failure.Message, StringComparison.Ordinal);
        Assert.Contains("GetBooking", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_problem_with_a_wrongly_typed_extension_fails_and_a_path_the_app_does_not_serve_passes()
    {
        const string Problem = """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict.","status":409,"detail":"x","code":"seats_taken","seats":"A1"}""";

        await Assert.ThrowsAsync<OpenApiMismatchException>(() => Send("/api/bookings", HttpStatusCode.Conflict, "application/problem+json", Problem, HttpMethod.Post));
        using var valid = await Send("/api/bookings", HttpStatusCode.Conflict, "application/problem+json", Problem.Replace("\"A1\"", "[\"A1\"]", StringComparison.Ordinal), HttpMethod.Post);
        using var unserved = await Send("/api/no-such-route", HttpStatusCode.NotFound, "text/plain", "host's own");

        Assert.Equal(HttpStatusCode.Conflict, valid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unserved.StatusCode);
    }

    private static async Task<HttpResponseMessage> Send(string path, HttpStatusCode status, string mediaType, string body, HttpMethod? method = null)
    {
        using var client = new HttpClient(new OpenApiValidatingHandler(new Answer(status, mediaType, body))) { BaseAddress = new Uri("http://127.0.0.1:1/") };
        return await client.SendAsync(new HttpRequestMessage(method ?? HttpMethod.Get, path.TrimStart('/')));
    }

    // The answer a server would give: the handler under test sees only the response.
    private sealed class Answer(HttpStatusCode status, string mediaType, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType), RequestMessage = request });
    }
}

using System.Net;
using System.Text.Json;

namespace TicketFunctions.Tests.Security;

/// <summary>RFC 9457: a problem's members are unambiguous; extensions never shadow <c>status</c>, <c>type</c> or <c>title</c>.</summary>
[Collection(SecuritySuite.Name)]
public sealed class ProblemShapeTests(SecurityHost host)
{
    [Fact]
    public async Task Cancelling_a_cancelled_booking_answers_409_with_one_numeric_status_and_the_booking_status_apart()
    {
        var (token, _) = await host.NewUser();
        var showtime = await host.NewShowtime();
        var booking = await host.NewBooking(token, showtime.Id, "C3");
        using (var first = await host.App.Post($"api/bookings/{booking}/cancel", null, token))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var again = await host.App.Post($"api/bookings/{booking}/cancel", null, token);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var body = await again.Content.ReadAsByteArrayAsync();
        var members = TopLevelMembers(body);
        Assert.Equal(members.Distinct(StringComparer.Ordinal).Count(), members.Count);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(409, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("booking_not_cancellable", json.RootElement.GetProperty("code").GetString());
        Assert.Equal("CANCELLED", json.RootElement.GetProperty("bookingStatus").GetString());
    }

    /// <summary>The names of a JSON object's own members, duplicates included (JsonDocument keeps only one of them).</summary>
    public static List<string> TopLevelMembers(byte[] json)
    {
        var names = new List<string>();
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                names.Add(reader.GetString()!);
            }
        }

        return names;
    }
}

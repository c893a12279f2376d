using System.Text.Json;
using Microsoft.Extensions.Options;
using TicketFunctions.Bookings;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Bookings;

public sealed class BookingFunctionsTests
{
    private static string[] Seats(TestResponse booking) => [.. booking.Json.GetProperty("seats").EnumerateArray().Select(s => s.GetString()!)];

    private static long Id(TestResponse booking) => booking.Json.GetProperty("id").GetInt64();

    [Fact]
    public async Task Booking_named_seats_answers_201_pending_with_prices_and_a_ten_minute_hold()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime(price: 12.35m);
        var (token, userId) = await app.RegisterAndLogin();

        var booking = await app.Book(token, showtime, "b2", "A10", "A9");

        Assert.Equal(201, booking.Status);
        var json = booking.Json;
        Assert.Equal($"/api/bookings/{Id(booking)}", booking.Headers.Location.ToString());
        Assert.Equal(showtime, json.GetProperty("showtimeId").GetInt64());
        Assert.Equal(userId, json.GetProperty("userId").GetInt64());
        Assert.Equal(["A9", "A10", "B2"], Seats(booking));
        Assert.Equal(3, json.GetProperty("seatCount").GetInt32());
        Assert.Contains("\"unitPrice\":12.35", booking.Body, StringComparison.Ordinal);
        Assert.Contains("\"totalPrice\":37.05", booking.Body, StringComparison.Ordinal);
        Assert.Equal("PENDING", json.GetProperty("status").GetString());
        Assert.Equal("2026-11-25T12:00:00Z", json.GetProperty("createdAt").GetString());
        Assert.Equal("2026-11-25T12:10:00Z", json.GetProperty("expiresAt").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("confirmedAt").ValueKind);
        Assert.Equal(["A10", "A9", "B2"], (await app.DbRows<string>("SELECT seat FROM seat_claims WHERE booking_id IS NOT NULL ORDER BY seat")).ToArray());
        Assert.Equal(3, await app.DbScalar<long>("SELECT count(*) FROM booking_seats"));
    }

    [Fact]
    public async Task The_price_is_copied_at_booking_time()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime(price: 10m);
        var (token, _) = await app.RegisterAndLogin();
        var booking = await app.Book(token, showtime, "A1");

        await app.DbScalar<long>("UPDATE showtimes SET price_cents = 99900 WHERE id = @showtime RETURNING id", new { showtime });
        var read = await app.GetBooking(token, Id(booking));

        Assert.Contains("\"unitPrice\":10.00", read.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hold_duration_comes_from_configuration()
    {
        await using var app = await TestApp.StartWithGatewayAsync(settings: new Dictionary<string, string?> { ["Bookings:HoldDuration"] = "00:02:30" });
        var showtime = await app.CreateShowtime();
        var (token, _) = await app.RegisterAndLogin();

        var booking = await app.Book(token, showtime, "A1");

        Assert.Equal("2026-11-25T12:02:30Z", booking.Json.GetProperty("expiresAt").GetString());
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("2.00:00:00")]
    public async Task An_invalid_hold_duration_fails_validation(string holdDuration)
    {
        await using var app = await TestApp.StartWithGatewayAsync(settings: new Dictionary<string, string?> { ["Bookings:HoldDuration"] = holdDuration });

        Assert.Throws<OptionsValidationException>(() => app.Get<IOptions<BookingOptions>>().Value);
    }

    [Fact]
    public async Task Booking_by_count_picks_the_best_seats_side_by_side()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime(seatRows: 5, seatsPerRow: 10);
        var (token, _) = await app.RegisterAndLogin();

        var first = await app.BookCount(token, showtime, 2);
        var second = await app.BookCount(token, showtime, 3);

        Assert.Equal(201, first.Status);
        Assert.Equal(["C5", "C6"], Seats(first));
        Assert.Equal(201, second.Status);
        Assert.Equal(3, second.Json.GetProperty("seatCount").GetInt32());
        Assert.DoesNotContain(Seats(second), Seats(first).Contains);
    }

    [Fact]
    public async Task Booking_an_unknown_showtime_answers_404_and_writes_nothing()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var (token, _) = await app.RegisterAndLogin();

        var answer = await app.Book(token, 987_654, "A1");

        Assert.Equal(404, answer.Status);
        Assert.Equal("No showtime with this id.", answer.Json.GetProperty("detail").GetString());
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM bookings"));
    }

    [Fact]
    public async Task Booking_without_a_token_answers_401()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime();

        var answer = await app.Invoke<BookingFunctions>(nameof(BookingFunctions.Create), app.Request("POST", "/api/bookings", new { showtimeId = showtime, seats = new[] { "A1" } }), (f, r) => f.Create(r));

        Assert.Equal(401, answer.Status);
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM bookings"));
    }

    [Theory]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":["A1"],"seatCount":1}""")]
    [InlineData("seats", """{"showtimeId":SHOW}""")]
    [InlineData("seatCount", """{"showtimeId":SHOW,"seatCount":0}""")]
    [InlineData("seatCount", """{"showtimeId":SHOW,"seatCount":11}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":[]}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":["A1","A2","A3","A4","A5","A6","A7","A8","A9","A10","B1"]}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":["AA1"]}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":["A0"]}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":["A01"]}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":[null]}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":["A1","a1"]}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":["F1"]}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":["A11"]}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":["E1\u0000"]}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":["E\u00001"]}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":["E1\t"]}""")]
    [InlineData("seats", """{"showtimeId":SHOW,"seats":["\u001fE1"]}""")]
    [InlineData("showtimeId", """{"showtimeId":0,"seats":["A1"]}""")]
    [InlineData("showtimeId", """{"seats":["A1"]}""")]
    [InlineData("seatCount", """{"showtimeId":SHOW,"seatCount":"2"}""")]
    public async Task Booking_with_an_invalid_field_answers_400_naming_it_and_writes_nothing(string field, string json)
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime(seatRows: 5, seatsPerRow: 10);
        var (token, _) = await app.RegisterAndLogin();

        var answer = await app.Invoke<BookingFunctions>(nameof(BookingFunctions.Create), app.Request("POST", "/api/bookings", json.Replace("SHOW", showtime.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), token), (f, r) => f.Create(r));

        Assert.Equal(400, answer.Status);
        Assert.True(answer.IsProblem);
        Assert.True(answer.Json.GetProperty("errors").EnumerateObject().Any(e => e.Name.Contains(field, StringComparison.OrdinalIgnoreCase) || e.Value.ToString().Contains(field, StringComparison.OrdinalIgnoreCase)), answer.Body);
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM bookings"));
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM seat_claims WHERE booking_id IS NOT NULL"));
    }

    [Fact]
    public async Task Booking_a_taken_seat_answers_409_and_names_the_taken_seats()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime();
        var (alice, _) = await app.RegisterAndLogin();
        var (bob, _) = await app.RegisterAndLogin();
        await app.Book(alice, showtime, "A1", "A2", "B3");

        var answer = await app.Book(bob, showtime, "B3", "A4", "A2");

        Assert.Equal(409, answer.Status);
        Assert.Equal("seats_taken", answer.Json.GetProperty("code").GetString());
        Assert.Equal(["A2", "B3"], answer.Json.GetProperty("seats").EnumerateArray().Select(s => s.GetString()!).ToArray());
        Assert.Equal(1, await app.DbScalar<long>("SELECT count(*) FROM bookings"));
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM seat_claims WHERE booking_id IS NOT NULL AND seat = 'A4'"));
    }

    [Fact]
    public async Task Booking_more_seats_than_are_free_answers_409_not_enough_seats()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime(seatRows: 1, seatsPerRow: 4);
        var (alice, _) = await app.RegisterAndLogin();
        var (bob, _) = await app.RegisterAndLogin();
        await app.Book(alice, showtime, "A1", "A2");

        var answer = await app.BookCount(bob, showtime, 3);

        Assert.Equal(409, answer.Status);
        Assert.Equal("not_enough_seats", answer.Json.GetProperty("code").GetString());
        Assert.Equal(2, answer.Json.GetProperty("availableSeats").GetInt32());
        Assert.Equal(1, await app.DbScalar<long>("SELECT count(*) FROM bookings"));
    }

    [Fact]
    public async Task One_account_cannot_hold_more_than_the_seat_limit_of_a_showtime()
    {
        await using var app = await TestApp.StartWithGatewayAsync(settings: new Dictionary<string, string?> { ["Bookings:MaxSeatsPerUserPerShowtime"] = "4" });
        var showtime = await app.CreateShowtime();
        var other = await app.CreateShowtime(await app.CreateMovie("Other"), await app.CreateTheatre(name: "Other"));
        var (token, _) = await app.RegisterAndLogin();
        await app.Book(token, showtime, "A1", "A2", "A3");

        var over = await app.BookCount(token, showtime, 2);
        var exact = await app.BookCount(token, showtime, 1);
        var elsewhere = await app.BookCount(token, other, 4);

        Assert.Equal(409, over.Status);
        Assert.Equal("seat_limit", over.Json.GetProperty("code").GetString());
        Assert.Equal(201, exact.Status);
        Assert.Equal(201, elsewhere.Status);
    }

    [Fact]
    public async Task Cancelled_bookings_do_not_count_toward_the_seat_limit()
    {
        await using var app = await TestApp.StartWithGatewayAsync(settings: new Dictionary<string, string?> { ["Bookings:MaxSeatsPerUserPerShowtime"] = "2" });
        var showtime = await app.CreateShowtime();
        var (token, _) = await app.RegisterAndLogin();
        var first = await app.Book(token, showtime, "A1", "A2");
        await app.CancelBooking(token, Id(first));

        var again = await app.Book(token, showtime, "A1", "A2");

        Assert.Equal(201, again.Status);
    }

    [Fact]
    public async Task Booking_a_showtime_that_has_started_answers_409()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime(await app.CreateMovie(), await app.CreateTheatre(), TimeSpan.FromMinutes(30));
        var (token, _) = await app.RegisterAndLogin();
        app.Clock.Advance(TimeSpan.FromMinutes(30));

        var answer = await app.Book(token, showtime, "A1");

        Assert.Equal(409, answer.Status);
        Assert.Equal("showtime_started", answer.Json.GetProperty("code").GetString());
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM bookings"));
    }

    [Fact]
    public async Task An_expired_hold_frees_its_seats_at_once_and_reads_as_expired()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime();
        var (alice, _) = await app.RegisterAndLogin();
        var (bob, _) = await app.RegisterAndLogin();
        var held = await app.Book(alice, showtime, "C4", "C5");
        Assert.Equal("held", (await app.SeatMap(showtime))["C4"]);

        app.Clock.Advance(TimeSpan.FromMinutes(10));

        // Nothing has run since: the map, the showtime and the booking already tell the hold is over.
        var map = await app.SeatMap(showtime);
        Assert.Equal("available", map["C4"]);
        Assert.Equal("available", map["C5"]);
        var read = await app.GetBooking(alice, Id(held));
        Assert.Equal("EXPIRED", read.Json.GetProperty("status").GetString());
        var expired = await app.ListBookings(alice, "status=EXPIRED");
        Assert.Equal([Id(held)], expired.Json.GetProperty("items").EnumerateArray().Select(b => b.GetProperty("id").GetInt64()).ToArray());
        Assert.Equal(0, (await app.ListBookings(alice, "status=PENDING")).Json.GetProperty("totalCount").GetInt64());
        Assert.Equal("PENDING", await app.DbScalar<string>("SELECT status FROM bookings WHERE id = @id", new { id = Id(held) }));

        var rebooked = await app.Book(bob, showtime, "C5", "C4");

        Assert.Equal(201, rebooked.Status);
        Assert.Equal("EXPIRED", await app.DbScalar<string>("SELECT status FROM bookings WHERE id = @id", new { id = Id(held) }));
        Assert.Equal([Id(rebooked)], (await app.DbRows<long>("SELECT DISTINCT booking_id FROM seat_claims WHERE booking_id IS NOT NULL")).ToArray());
        Assert.Equal("EXPIRED", (await app.GetBooking(alice, Id(held))).Json.GetProperty("status").GetString());
        Assert.Equal(["C4", "C5"], Seats(await app.GetBooking(alice, Id(held))));
    }

    [Fact]
    public async Task A_hold_is_live_until_the_last_millisecond_before_expires_at()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime();
        var (alice, _) = await app.RegisterAndLogin();
        var (bob, _) = await app.RegisterAndLogin();
        await app.Book(alice, showtime, "A1");

        app.Clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        var early = await app.Book(bob, showtime, "A1");
        app.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var onTime = await app.Book(bob, showtime, "A1");

        Assert.Equal(409, early.Status);
        Assert.Equal(201, onTime.Status);
    }

    [Fact]
    public async Task An_expired_hold_frees_seats_for_a_seat_count_booking_too()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime(seatRows: 1, seatsPerRow: 2);
        var (alice, _) = await app.RegisterAndLogin();
        var (bob, _) = await app.RegisterAndLogin();
        var held = await app.BookCount(alice, showtime, 2);
        Assert.Equal(409, (await app.BookCount(bob, showtime, 1)).Status);

        app.Clock.Advance(TimeSpan.FromMinutes(11));
        var rebooked = await app.BookCount(bob, showtime, 2);

        Assert.Equal(201, rebooked.Status);
        Assert.Equal("EXPIRED", await app.DbScalar<string>("SELECT status FROM bookings WHERE id = @id", new { id = Id(held) }));
    }

    [Fact]
    public async Task The_seat_map_and_available_seats_show_held_and_booked_seats()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime(seatRows: 2, seatsPerRow: 3);
        var (token, _) = await app.RegisterAndLogin();
        var sold = await app.Book(token, showtime, "A1", "A2");
        await app.ConfirmWithPayment(Id(sold));
        await app.Book(token, showtime, "B3");

        var map = await app.SeatMap(showtime);
        var read = await app.Call(() => app.Function<TicketFunctions.Catalog.ShowtimeFunctions>().Get(app.Request("GET", $"/api/showtimes/{showtime}"), showtime));

        Assert.Equal(["booked", "booked", "available", "available", "available", "held"], map.Values.ToArray());
        Assert.Equal(3, read.Json.GetProperty("availableSeats").GetInt32());
        Assert.Equal(map.Values.Count(v => v == "available"), read.Json.GetProperty("availableSeats").GetInt32());

        app.Clock.Advance(TimeSpan.FromHours(1));
        map = await app.SeatMap(showtime);
        read = await app.Call(() => app.Function<TicketFunctions.Catalog.ShowtimeFunctions>().Get(app.Request("GET", $"/api/showtimes/{showtime}"), showtime));
        Assert.Equal(["booked", "booked", "available", "available", "available", "available"], map.Values.ToArray());
        Assert.Equal(4, read.Json.GetProperty("availableSeats").GetInt32());
    }

    [Fact]
    public async Task A_booking_is_visible_to_its_owner_and_admins_and_404_to_anyone_else()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime();
        var (owner, _) = await app.RegisterAndLogin();
        var (stranger, _) = await app.RegisterAndLogin();
        var id = Id(await app.Book(owner, showtime, "A1"));

        Assert.Equal(200, (await app.GetBooking(owner, id)).Status);
        Assert.Equal(200, (await app.GetBooking(await app.AdminToken(), id)).Status);
        Assert.Equal(404, (await app.GetBooking(stranger, id)).Status);
        Assert.Equal(404, (await app.GetBooking(owner, id + 100)).Status);
        Assert.Equal(404, (await app.GetBooking(owner, -1)).Status);
        var anonymous = await app.Invoke<BookingFunctions>(nameof(BookingFunctions.Get), app.Request("GET", $"/api/bookings/{id}"), (f, r) => f.Get(r, id));
        Assert.Equal(401, anonymous.Status);
    }

    [Fact]
    public async Task Listing_bookings_shows_only_the_callers_own_newest_first_paged_and_filtered()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime();
        var (alice, _) = await app.RegisterAndLogin();
        var (bob, _) = await app.RegisterAndLogin();
        var first = Id(await app.Book(alice, showtime, "A1"));
        var second = Id(await app.Book(alice, showtime, "A2"));
        var third = Id(await app.Book(alice, showtime, "A3"));
        await app.Book(bob, showtime, "A4");
        await app.CancelBooking(alice, second);

        var page = await app.ListBookings(alice, "page=1&pageSize=2");
        var cancelled = await app.ListBookings(alice, "status=cancelled");
        var pending = await app.ListBookings(alice, "status=PENDING");

        Assert.Equal(200, page.Status);
        Assert.Equal(3, page.Json.GetProperty("totalCount").GetInt64());
        Assert.Equal([third, second], page.Json.GetProperty("items").EnumerateArray().Select(b => b.GetProperty("id").GetInt64()).ToArray());
        Assert.Equal([second], cancelled.Json.GetProperty("items").EnumerateArray().Select(b => b.GetProperty("id").GetInt64()).ToArray());
        Assert.Equal([third, first], pending.Json.GetProperty("items").EnumerateArray().Select(b => b.GetProperty("id").GetInt64()).ToArray());
    }

    [Theory]
    [InlineData("status=PAID")]
    [InlineData("pageSize=500")]
    public async Task Listing_bookings_with_a_bad_query_answers_400(string query)
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var (token, _) = await app.RegisterAndLogin();

        Assert.Equal(400, (await app.ListBookings(token, query)).Status);
    }

    [Fact]
    public async Task Listing_bookings_without_a_token_answers_401()
    {
        await using var app = await TestApp.StartWithGatewayAsync();

        var answer = await app.Invoke<BookingFunctions>(nameof(BookingFunctions.List), app.Request("GET", "/api/bookings"), (f, r) => f.List(r));

        Assert.Equal(401, answer.Status);
    }

    [Fact]
    public async Task Cancelling_a_pending_booking_releases_its_seats()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime();
        var (token, _) = await app.RegisterAndLogin();
        var id = Id(await app.Book(token, showtime, "A1", "A2"));

        var cancelled = await app.CancelBooking(token, id);

        Assert.Equal(200, cancelled.Status);
        Assert.Equal("CANCELLED", cancelled.Json.GetProperty("status").GetString());
        Assert.Equal(["A1", "A2"], Seats(cancelled));
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM seat_claims WHERE booking_id IS NOT NULL"));
        Assert.Equal(app.Clock.GetUtcNow().ToUnixTimeMilliseconds(), await app.DbScalar<long>("SELECT cancelled_at FROM bookings WHERE id = @id", new { id }));
        Assert.Equal("available", (await app.SeatMap(showtime))["A1"]);
        Assert.Empty(app.Gateway.Refunds);
    }

    [Fact]
    public async Task Cancelling_a_cancelled_or_expired_booking_answers_409()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime();
        var (token, _) = await app.RegisterAndLogin();
        var cancelled = Id(await app.Book(token, showtime, "A1"));
        var expiring = Id(await app.Book(token, showtime, "A2"));
        await app.CancelBooking(token, cancelled);
        app.Clock.Advance(TimeSpan.FromMinutes(10));

        var again = await app.CancelBooking(token, cancelled);
        var expired = await app.CancelBooking(token, expiring);

        Assert.Equal(409, again.Status);
        Assert.Equal("booking_not_cancellable", again.Json.GetProperty("code").GetString());
        Assert.Equal(409, expired.Status);
        Assert.Equal("EXPIRED", expired.Json.GetProperty("bookingStatus").GetString());
        Assert.Equal("PENDING", await app.DbScalar<string>("SELECT status FROM bookings WHERE id = @expiring", new { expiring }));
    }

    [Fact]
    public async Task Cancelling_someone_elses_booking_answers_404_and_without_a_token_401()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime();
        var (owner, _) = await app.RegisterAndLogin();
        var (stranger, _) = await app.RegisterAndLogin();
        var id = Id(await app.Book(owner, showtime, "A1"));

        var notYours = await app.CancelBooking(stranger, id);
        var anonymous = await app.Invoke<BookingFunctions>(nameof(BookingFunctions.Cancel), app.Request("POST", $"/api/bookings/{id}/cancel"), (f, r) => f.Cancel(r, id));
        var unknown = await app.CancelBooking(owner, 9999);

        Assert.Equal(404, notYours.Status);
        Assert.Equal(401, anonymous.Status);
        Assert.Equal(404, unknown.Status);
        Assert.Equal("PENDING", await app.DbScalar<string>("SELECT status FROM bookings WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task An_admin_may_cancel_anyones_booking()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime();
        var (owner, _) = await app.RegisterAndLogin();
        var id = Id(await app.Book(owner, showtime, "A1"));

        var cancelled = await app.CancelBooking(await app.AdminToken(), id);

        Assert.Equal(200, cancelled.Status);
        Assert.Equal("CANCELLED", cancelled.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Cancelling_a_confirmed_booking_refunds_its_payment_then_cancels_in_one_step()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime(price: 8.25m);
        var (token, _) = await app.RegisterAndLogin();
        var id = Id(await app.Book(token, showtime, "A1", "A2"));
        var paymentId = await app.ConfirmWithPayment(id, "sim_ref_42");

        // Past the hold: a confirmed booking has no hold left to end.
        app.Clock.Advance(TimeSpan.FromMinutes(30));

        var cancelled = await app.CancelBooking(token, id);

        Assert.Equal(200, cancelled.Status);
        Assert.Equal("CANCELLED", cancelled.Json.GetProperty("status").GetString());
        var refund = Assert.Single(app.Gateway.Refunds);
        Assert.Equal(new TicketFunctions.Payments.RefundRequest(paymentId, "sim_ref_42", 1650), refund);
        Assert.Equal("REFUNDED", await app.DbScalar<string>("SELECT status FROM payments WHERE id = @paymentId", new { paymentId }));
        Assert.Equal(app.Clock.GetUtcNow().ToUnixTimeMilliseconds(), await app.DbScalar<long>("SELECT refunded_at FROM payments WHERE id = @paymentId", new { paymentId }));
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM seat_claims WHERE booking_id IS NOT NULL"));
    }

    [Fact]
    public async Task A_declined_refund_still_cancels_and_stays_owed_until_the_gateway_makes_it()
    {
        await using var app = await TestApp.StartWithGatewayAsync(new RecordingPaymentGateway { DeclineRefunds = true });
        var showtime = await app.CreateShowtime();
        var (token, _) = await app.RegisterAndLogin();
        var id = Id(await app.Book(token, showtime, "A1"));
        var paymentId = await app.ConfirmWithPayment(id);

        var answer = await app.CancelBooking(token, id);

        Assert.Equal(200, answer.Status);
        Assert.Equal("CANCELLED", answer.Json.GetProperty("status").GetString());
        Assert.Single(app.Gateway.Refunds);
        Assert.Equal("REFUNDED", await app.DbScalar<string>("SELECT status FROM payments WHERE id = @paymentId", new { paymentId }));
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM seat_claims WHERE booking_id IS NOT NULL"));
        Assert.Equal(1, await app.DbScalar<long>("SELECT count(*) FROM payments WHERE refund_due_at IS NOT NULL"));

        app.Gateway.DeclineRefunds = false;
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await app.Get<TicketFunctions.Payments.RefundSweep>().RunAsync(CancellationToken.None));
        Assert.Equal(2, app.Gateway.Refunds.Count);
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM payments WHERE refund_due_at IS NOT NULL"));
    }
}

// The whole flow of the README through the C# client that Kiota generated from the running app's document, and
// nothing else: no hand-written request, no JSON of our own. Run by OpenApi/KiotaClientTests with the app's base
// address and the admin's credentials; exits 0 when every step answered as API.md says, 1 with the step that did not.
using System.Diagnostics;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using TicketClient;
using TicketClient.Models;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: TicketFunctions.KiotaClient <base address, such as http://127.0.0.1:7071/> <admin email> <admin password>");
    return 2;
}

var baseAddress = new Uri(args[0]);
try
{
    await Flow.RunAsync(baseAddress, args[1], args[2]);
    Console.WriteLine("kiota client flow: every step answered as documented");
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"kiota client flow failed: {e}");
    return 1;
}

internal static class Flow
{
    private const string Password = "Password-123";

    public static async Task RunAsync(Uri baseAddress, string adminEmail, string adminPassword)
    {
        var anonymous = Client(baseAddress, token: null);
        var suffix = Guid.NewGuid().ToString("N")[..8];

        // Operations: health, the document at both addresses as an object, Swagger UI and its files.
        var health = await anonymous.Health.GetAsync();
        Check(health?.Status == HealthStatus.Healthy, $"health is {health?.Status}");
        var document = await anonymous.Openapi.V3Json.GetAsync();
        Check(document?.Openapi?.StartsWith("3.", StringComparison.Ordinal) == true && document.Paths?.AdditionalData.ContainsKey("/payments") == true, "the document at /openapi/v3.json");
        var swaggerJson = await anonymous.SwaggerJson.GetAsync();
        Check(swaggerJson?.Info?.Title == document!.Info?.Title, "the document at /swagger.json");
        await using (var page = await anonymous.Swagger.Ui.GetAsync())
        {
            using var reader = new StreamReader(page!);
            Check((await reader.ReadToEndAsync()).Contains("SwaggerUIBundle", StringComparison.Ordinal), "the Swagger UI page");
        }

        await anonymous.Swagger.Ui["swagger-ui.css"].GetAsync();
        var missingFile = await Problem(() => anonymous.Swagger.Ui["no-such-file.js"].GetAsync(), 404);
        Check(missingFile.Detail is not null, "a missing Swagger UI file is a typed 404");

        // A user registers and logs in; a second registration of the email is 409 email_taken; bad fields are 400.
        var email = $"kiota-{suffix}@example.com";
        var registered = await anonymous.Auth.Register.PostAsync(new RegisterRequest { Email = email, Password = Password, FullName = "Kiota Client" });
        Check(registered?.Role == Role.User && registered.Email == email, "the registered user");
        await Conflict(() => anonymous.Auth.Register.PostAsync(new RegisterRequest { Email = email, Password = Password, FullName = "Again" }), "email_taken");
        var invalid = await Problem(() => anonymous.Auth.Register.PostAsync(new RegisterRequest { Email = "not-an-email", Password = "short", FullName = "Bad" }), 400);
        Check(invalid.Errors?.AdditionalData.ContainsKey("password") == true && invalid.Errors.AdditionalData.ContainsKey("email"), "400 names the password and the email in errors");
        var unauthorized = await Problem(() => anonymous.Auth.Me.GetAsync(), 401);
        Check(unauthorized.Type == "https://tools.ietf.org/html/rfc9110#section-15.5.2", $"401 has its type, not {unauthorized.Type}");
        await Problem(() => anonymous.Auth.Login.PostAsync(new LoginRequest { Email = email, Password = "Wrong-password-1" }), 401);

        var login = await anonymous.Auth.Login.PostAsync(new LoginRequest { Email = email, Password = Password });
        Check(login?.TokenType == "Bearer" && login.AccessToken is not null, "the login");
        var user = Client(baseAddress, login!.AccessToken);
        var me = await user.Auth.Me.GetAsync();
        Check(me?.Id == registered!.Id, "me is the registered user");
        var forbidden = await Problem(() => user.Manage.Bookings.GetAsync(), 403);
        Check(forbidden.Type == "https://tools.ietf.org/html/rfc9110#section-15.5.4", "403 has its type");
        await Problem(() => user.Movies.PostAsync(Movie($"Not Mine {suffix}")), 403);

        // The admin fills the catalog: a movie, a theatre, a showtime; an overlapping showtime is 409 with the one it overlaps.
        var adminLogin = await anonymous.Auth.Login.PostAsync(new LoginRequest { Email = adminEmail, Password = adminPassword });
        var admin = Client(baseAddress, adminLogin!.AccessToken);
        var movie = await admin.Movies.PostAsync(Movie($"Arrival {suffix}"));
        movie = await admin.Movies[movie!.Id!.Value].PutAsync(Movie($"Arrival {suffix}", durationMinutes: 116));
        Check(movie?.DurationMinutes == 116, "the updated movie");
        var theatre = await admin.Theatres.PostAsync(new TheatreRequest { Name = $"Odeon {suffix}", City = $"Leeds {suffix}", Address = "1 Park Row", SeatRows = 2, SeatsPerRow = 3 });
        theatre = await admin.Theatres[theatre!.Id!.Value].PutAsync(new TheatreRequest { Name = $"Odeon {suffix}", City = $"Leeds {suffix}", Address = "2 Park Row", SeatRows = 2, SeatsPerRow = 3 });
        Check(theatre?.Capacity == 6, "the theatre has 6 seats");
        var startsAt = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(3).AddHours(19), TimeSpan.Zero);
        var showtime = await admin.Showtimes.PostAsync(new ShowtimeRequest { MovieId = movie!.Id, TheatreId = theatre!.Id, StartsAt = startsAt, Price = 12.50m });
        Check(showtime?.AvailableSeats == 6 && showtime.Price == 12.50m, "the showtime");
        var overlap = await Conflict(() => admin.Showtimes.PostAsync(new ShowtimeRequest { MovieId = movie.Id, TheatreId = theatre.Id, StartsAt = startsAt.AddMinutes(30), Price = 10m }), "showtime_overlap");
        Check(overlap.ConflictingShowtimeId == showtime!.Id, "showtime_overlap names the showtime it overlaps");
        await Conflict(() => admin.Theatres[theatre.Id!.Value].PutAsync(new TheatreRequest { Name = "Odeon", City = "Leeds", Address = "1 Park Row", SeatRows = 3, SeatsPerRow = 3 }), "theatre_has_showtimes");
        await Conflict(() => admin.Movies[movie.Id!.Value].DeleteAsync(), "movie_has_showtimes");
        var spare = await admin.Movies.PostAsync(Movie($"Spare {suffix}"));
        await admin.Movies[spare!.Id!.Value].DeleteAsync();
        await Problem(() => anonymous.Movies[spare.Id.Value].GetAsync(), 404);

        // Anyone browses the catalog.
        var movies = await anonymous.Movies.GetAsync(r => r.QueryParameters.Search = suffix);
        Check(movies?.Items?.Count == 1 && movies.TotalCount == 1, "the movie search");
        Check((await anonymous.Movies[movie.Id!.Value].GetAsync())?.Title == movie.Title, "the movie");
        var theatres = await anonymous.Theatres.GetAsync(r => r.QueryParameters.City = $"Leeds {suffix}");
        Check(theatres?.Items?.SingleOrDefault()?.Id == theatre.Id, "the theatre list");
        Check((await anonymous.Theatres[theatre.Id!.Value].GetAsync())?.SeatRows == 2, "the theatre");
        var showtimes = await anonymous.Showtimes.GetAsync(r =>
        {
            r.QueryParameters.MovieId = movie.Id;
            r.QueryParameters.Date = new Date(startsAt.UtcDateTime);
        });
        Check(showtimes?.Items?.SingleOrDefault()?.Id == showtime.Id, "the showtimes of the movie that day");
        Check((await anonymous.Showtimes[showtime.Id!.Value].GetAsync())?.MovieTitle == movie.Title, "the showtime");
        var seats = await anonymous.Showtimes[showtime.Id.Value].Seats.GetAsync();
        Check(seats?.Seats?.Count == 6 && seats.Seats.All(s => s.Status == SeatStatus.Available), "the seat map");
        await Problem(() => anonymous.Showtimes.GetAsync(r => r.QueryParameters.PageSize = 1000), 400);

        // The user books two seats; another user's booking of one of them is 409 seats_taken naming it; too many is not_enough_seats.
        var booking = await user.Bookings.PostAsync(new BookingRequest { ShowtimeId = showtime.Id, Seats = ["A1", "A2"] });
        Check(booking?.Status == BookingStatus.PENDING && booking.TotalPrice == 25.00m, "the booking is PENDING for 25.00");
        var other = await RegisterAndLogin(anonymous, baseAddress, $"kiota-other-{suffix}@example.com");
        var taken = await Conflict(() => other.Bookings.PostAsync(new BookingRequest { ShowtimeId = showtime.Id, Seats = ["A2", "A3"] }), "seats_taken");
        Check(taken.Seats is ["A2"], "seats_taken names A2");
        var notEnough = await Conflict(() => other.Bookings.PostAsync(new BookingRequest { ShowtimeId = showtime.Id, SeatCount = 5 }), "not_enough_seats");
        Check(notEnough.AvailableSeats == 4, $"not_enough_seats says 4 are free, not {notEnough.AvailableSeats}");
        await Problem(() => user.Bookings.PostAsync(new BookingRequest { ShowtimeId = long.MaxValue, SeatCount = 1 }), 404);
        await Problem(() => other.Bookings[booking!.Id!.Value].GetAsync(), 404);
        Check((await user.Bookings[booking!.Id!.Value].GetAsync())?.Seats is ["A1", "A2"], "the booking");

        // Pay with an Idempotency-Key: the same body again answers the same payment; another body with that key is 409.
        var key = Guid.NewGuid().ToString();
        var pay = new CreatePaymentRequest { BookingId = booking.Id, PaymentToken = "tok_visa" };
        var payment = await user.Payments.PostAsync(pay, r => r.Headers.Add("Idempotency-Key", key));
        Check(payment?.Status == PaymentStatus.PENDING && payment.FailureReason is null, "the payment is PENDING");
        var replay = await user.Payments.PostAsync(pay, r => r.Headers.Add("Idempotency-Key", key));
        Check(replay?.Id == payment!.Id, "the replay answers the same payment");
        await Conflict(() => user.Payments.PostAsync(new CreatePaymentRequest { BookingId = booking.Id, PaymentToken = "tok_chargeDeclined" }, r => r.Headers.Add("Idempotency-Key", key)), "idempotency_key_reused");
        var badKey = await Problem(() => user.Payments.PostAsync(pay, r => r.Headers.Add("Idempotency-Key", new string('k', 101))), 400);
        Check(badKey.Errors?.AdditionalData.Count > 0, "a too long Idempotency-Key is a 400 with errors");
        await Problem(() => user.Payments.PostAsync(new CreatePaymentRequest { BookingId = long.MaxValue, PaymentToken = "tok_visa" }), 404);

        var paid = await Eventually(() => user.Payments[payment.Id!.Value].GetAsync(), p => p?.Status == PaymentStatus.SUCCESS);
        Check(paid!.ProcessedAt is not null && paid.Amount == 25.00m, "the payment succeeded");
        Check((await user.Bookings.GetAsync(r => r.QueryParameters.Status = BookingStatus.CONFIRMED))?.Items?.SingleOrDefault()?.Id == booking.Id, "the user's CONFIRMED bookings");
        await Conflict(() => user.Payments.PostAsync(pay), "booking_not_payable");

        // The admin's views, and the sales report for a date range (a date alone, and a date-time without an offset).
        var day = startsAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var listed = await admin.Manage.Bookings.GetAsync(r =>
        {
            r.QueryParameters.ShowtimeId = showtime.Id;
            r.QueryParameters.Status = BookingStatus.CONFIRMED;
            r.QueryParameters.From = DateTime.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        });
        Check(listed?.Items?.SingleOrDefault() is { PaymentStatus: PaymentStatus.SUCCESS, MovieTitle: var title } && title == movie.Title, "the admin's list");
        var detail = await admin.Manage.Bookings[booking.Id.Value].GetAsync();
        Check(detail?.User?.Email == email && detail.Payments?.SingleOrDefault()?.Status == PaymentStatus.SUCCESS, "the admin's booking detail");
        await Problem(() => admin.Manage.Bookings[long.MaxValue].GetAsync(), 404);
        var report = await admin.Manage.Reports.Sales.GetAsync(r => (r.QueryParameters.From, r.QueryParameters.To) = (day, day));
        var sales = report?.Movies?.SingleOrDefault(m => m.MovieId == movie.Id);
        Check(sales is { TicketsSold: 2, Revenue: 25.00m, Showtimes: 1 }, "the sales report of the showtime's day");
        var badRange = await Problem(() => admin.Manage.Reports.Sales.GetAsync(r => (r.QueryParameters.From, r.QueryParameters.To) = (day, "2000-01-01")), 400);
        Check(badRange.Errors?.AdditionalData.ContainsKey("to") == true, "a range that ends before it starts is a 400 on to");

        // Cancel: the confirmed booking is refunded and its seats are free; cancelling again is 409 with the status.
        var cancelled = await user.Bookings[booking.Id.Value].Cancel.PostAsync();
        Check(cancelled?.Status == BookingStatus.CANCELLED, "the cancelled booking");
        var notCancellable = await Conflict(() => user.Bookings[booking.Id.Value].Cancel.PostAsync(), "booking_not_cancellable");
        Check(notCancellable.BookingStatus == BookingStatus.CANCELLED, "booking_not_cancellable says CANCELLED");
        Check((await user.Payments[payment.Id!.Value].GetAsync())?.Status == PaymentStatus.REFUNDED, "the payment is REFUNDED");
        Check((await anonymous.Showtimes[showtime.Id.Value].GetAsync())?.AvailableSeats == 6, "the seats are free again");
        var cancelledList = await admin.Manage.Bookings.GetAsync(r => (r.QueryParameters.ShowtimeId, r.QueryParameters.Status) = (showtime.Id, BookingStatus.CANCELLED));
        Check(cancelledList?.Items?.SingleOrDefault()?.PaymentStatus == PaymentStatus.REFUNDED, "the admin sees the refund");
        var after = await admin.Manage.Reports.Sales.GetAsync(r => (r.QueryParameters.From, r.QueryParameters.To) = (day, day));
        Check(after?.Movies?.Any(m => m.MovieId == movie.Id && m.TicketsSold > 0) != true, "a cancelled booking sells nothing");
        var unpaid = await user.Bookings.PostAsync(new BookingRequest { ShowtimeId = showtime.Id, SeatCount = 1 });
        await user.Bookings[unpaid!.Id!.Value].Cancel.PostAsync();
        var notPayable = await Conflict(() => user.Payments.PostAsync(new CreatePaymentRequest { BookingId = unpaid.Id, PaymentToken = "tok_visa" }), "booking_not_payable");
        Check(notPayable.BookingStatus == BookingStatus.CANCELLED, "booking_not_payable says CANCELLED");
    }

    private static TicketApiClient Client(Uri baseAddress, string? token)
    {
        // The transport only: the generated client builds every request; the token rides on the HttpClient.
        var http = KiotaClientFactory.Create();
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = new Uri(baseAddress, "api").ToString() };
        return new TicketApiClient(adapter);
    }

    private static async Task<TicketApiClient> RegisterAndLogin(TicketApiClient anonymous, Uri baseAddress, string email)
    {
        await anonymous.Auth.Register.PostAsync(new RegisterRequest { Email = email, Password = Password, FullName = "Other User" });
        var login = await anonymous.Auth.Login.PostAsync(new LoginRequest { Email = email, Password = Password });
        return Client(baseAddress, login!.AccessToken);
    }

    private static MovieRequest Movie(string title, int durationMinutes = 100) => new()
    {
        Title = title,
        Description = "Linguist meets heptapods.",
        Genre = "Sci-Fi",
        DurationMinutes = durationMinutes,
        Rating = "PG-13",
        ReleaseDate = new Date(2016, 11, 11),
    };

    /// <summary>The typed problem a call answers with, checked to carry the status it was sent with.</summary>
    private static async Task<ProblemDetails> Problem(Func<Task> call, int status)
    {
        try
        {
            await call();
        }
        catch (ProblemDetails problem)
        {
            Check(problem.ResponseStatusCode == status && problem.Status == status, $"expected a {status} problem, got {problem.ResponseStatusCode} {problem.Status} {problem.Detail}");
            Check(problem.Type is not null && problem.Title is not null, $"the {status} problem has its type and title");
            return problem;
        }

        throw new InvalidOperationException($"expected a {status} problem, and the call succeeded");
    }

    private static async Task<ProblemDetails> Conflict(Func<Task> call, string code)
    {
        var problem = await Problem(call, 409);
        Check(problem.Code == code, $"expected 409 {code}, got {problem.Code}: {problem.Detail}");
        return problem;
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Check(clock.Elapsed < TimeSpan.FromSeconds(60), "the payment did not succeed within 60 s");
            await Task.Delay(100);
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("not as documented: " + what);
        }
    }
}

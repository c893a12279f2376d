using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TicketFunctions.Tests.Support;
using Xunit.Abstractions;

namespace TicketFunctions.Tests.Security;

/// <summary>OWASP API4/API8: generated hostile requests over every route; never a 5xx, never a leak, never half-written data.</summary>
[Collection(SecuritySuite.Name)]
public sealed class HostileInputTests(SecurityHost host, ITestOutputHelper output)
{
    // Markers of internals: stack frames, exception and type names, SQL that the client did not send itself.
    private static readonly string[] LeakMarkers =
    [
        "   at ", ".cs:line", "Exception", "SQLite Error", "System.", "Microsoft.", "Dapper", "FROM bookings", "FROM seat_claims", "FROM payments",
        "WHERE ", "json_each", "INSERT INTO", "constraint failed",
    ];

    [Fact]
    public async Task Hundreds_of_hostile_requests_over_every_route_get_4xx_problems_or_successes_and_leave_the_data_whole()
    {
        var requests = HostileRequests.For(await host.NewTargets());
        Assert.True(requests.Count >= 500, $"only {requests.Count} requests generated");
        Assert.True(requests.Select(r => r.Function).Distinct().Count() == HostileRequests.Functions.Count, "every route is attacked");

        var failures = new ConcurrentQueue<string>();
        var timings = new ConcurrentDictionary<string, long>();
        var serverErrors = 0;
        var leaks = 0;
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (request, _) =>
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (status, mediaType, body) = await Send(request);
            timings.AddOrUpdate(request.Function, watch.ElapsedMilliseconds, (_, t) => t + watch.ElapsedMilliseconds);
            var problems = Check(request, status, mediaType, body);
            if (status >= 500)
            {
                Interlocked.Increment(ref serverErrors);
            }

            if (problems.Any(p => p.StartsWith("leak", StringComparison.Ordinal)))
            {
                Interlocked.Increment(ref leaks);
            }

            foreach (var problem in problems)
            {
                failures.Enqueue($"{request}: {problem}; answered {status} {mediaType} {Clip(body)}");
            }
        });

        host.Figures.Add("hostile", requests.Count);
        host.Figures.Add("hostile5xx", serverErrors);
        host.Figures.Add("hostileLeaks", leaks);
        output.WriteLine($"{requests.Count} hostile requests over {HostileRequests.Functions.Count} functions; {serverErrors} answered 5xx.");
        output.WriteLine(string.Join(", ", timings.OrderByDescending(t => t.Value).Select(t => $"{t.Key} {t.Value} ms")));
        var broken = await DatabaseInvariants.BrokenAsync(host.App.Db);
        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers:\n" + string.Join('\n', failures.Take(30)));
        Assert.True(broken.Count == 0, "the data is not whole:\n" + string.Join('\n', broken));
    }

    [Fact]
    public async Task The_generators_valid_request_of_every_route_passes_authentication_and_reads_succeed()
    {
        var targets = await host.NewTargets();

        // The same requests that the hostile and token suites vary: with the right token they get past authentication.
        foreach (var request in HostileRequests.Valid(targets))
        {
            var (status, _, body) = await Send(request);
            Assert.True(status < 500 && (request.Token is null || status is not (401 or 403)), $"{request}: {status} {Clip(body)}");
            if (request.Method == "get")
            {
                Assert.True(status is >= 200 and < 300, $"{request}: {status} {Clip(body)}");
            }
        }
    }

    /// <summary>
    /// A header value that is not ASCII never reaches the app: the Functions host cannot forward it (README, "Headers the
    /// host cannot forward"; the local host's HttpTests names the real host's files), so the client gets the host's bare
    /// 500 once the worker stops waiting for the request (15 s). Nothing is paid or charged, and the next request pays.
    /// </summary>
    [Fact]
    public async Task A_payment_with_an_idempotency_key_that_is_not_ascii_creates_no_payment_charges_nothing_and_the_next_one_pays()
    {
        var (token, _) = await host.NewUser();
        var showtime = await host.NewShowtime();
        var booking = await host.NewBooking(token, showtime.Id, "A1");
        using var utf8 = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = host.App.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/payments") { Content = JsonContent.Create(new { bookingId = booking, paymentToken = "tok_visa" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "clé");

        using var refused = await utf8.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.Empty(await refused.Content.ReadAsByteArrayAsync());
        Assert.Equal(0L, await host.Scalar<long>("SELECT count(*) FROM payments WHERE booking_id = @booking", new { booking }));
        Assert.Equal("PENDING", await host.Scalar<string>("SELECT status FROM bookings WHERE id = @booking", new { booking }));
        Assert.Equal(0L, await host.Scalar<long>("SELECT count(*) FROM gateway_charges WHERE payment_id NOT IN (SELECT id FROM payments)"));

        using var paid = await host.App.Send(
            HttpMethod.Post, "api/payments", new { bookingId = booking, paymentToken = "tok_visa" }, token, r => r.Headers.Add("Idempotency-Key", $"cle-{Guid.NewGuid():N}"));
        Assert.Equal(HttpStatusCode.Accepted, paid.StatusCode);
        var payment = (await paid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal("SUCCESS", await SecurityHost.SettledPaymentStatus(host.App.Db, payment));
        Assert.Equal(1L, await host.Scalar<long>("SELECT count(*) FROM payments WHERE booking_id = @booking", new { booking }));
        Assert.Equal(1L, await host.Scalar<long>("SELECT count(*) FROM gateway_charges WHERE payment_id = @payment", new { payment }));
    }

    private async Task<(int Status, string? MediaType, string Body)> Send(HostileRequest request)
    {
        var answer = await HostileRequests.SendAsync(host.App.Client, request);
        return (answer.Status, answer.MediaType, answer.Body);
    }

    private static List<string> Check(HostileRequest request, int status, string? mediaType, string body)
    {
        var problems = new List<string>();
        if (status >= 500)
        {
            problems.Add("5xx");
        }

        if (status >= 400)
        {
            if (request.RouteMatches)
            {
                if (mediaType != "application/problem+json")
                {
                    problems.Add("not problem+json");
                }
                else if (!ProblemStatusMatches(body, status))
                {
                    problems.Add("the problem's status differs");
                }
                else if (ProblemShapeTests.TopLevelMembers(System.Text.Encoding.UTF8.GetBytes(body)) is var members && members.Distinct(StringComparer.Ordinal).Count() != members.Count)
                {
                    problems.Add("a problem member appears twice");
                }
            }
        }

        // Successes too (the API's JSON, not the static OpenAPI and Swagger UI files, which describe the API itself).
        if (status >= 400 || mediaType == "application/json" && !request.Function.StartsWith("Swagger", StringComparison.Ordinal) && request.Function != "OpenApiDocument")
        {
            foreach (var marker in LeakMarkers.Where(m => body.Contains(m, StringComparison.Ordinal)))
            {
                problems.Add($"leak: '{marker}'");
            }
        }

        var expected = Expected(request);
        if (!request.RouteMatches && status is not (400 or 404))
        {
            // Kestrel refuses some paths itself (a NUL byte: 400); routing answers the rest (404).
            problems.Add("expected 404 (or 400 from the server)");
        }
        else if (request.RouteMatches && expected is not null && status != expected)
        {
            problems.Add($"expected {expected}");
        }

        return problems;
    }

    /// <summary>The one answer some kinds of request must get (auth comes first, then the body is read).</summary>
    private static int? Expected(HostileRequest request) => request.Kind switch
    {
        "70 KiB body" or "70 KiB body, chunked" or "800 KB body, chunked" or "65 KiB of whitespace" => 413,
        "content type 'text/plain'" or "content type 'application/xml'" or "content type 'application/x-www-form-urlencoded'"
            or "content type 'multipart/form-data; boundary=x'" or "content type 'application/jsonp'" or "content type ''" => 415,
        "empty body" or "null" or "array" or "number" or "string" or "open brace" or "reversed braces" or "truncated 1/4" or "truncated 1/2"
            or "truncated last byte" or "trailing garbage" or "two objects" or "duplicate property" or "single quotes" or "comment"
            or "double commas" or "deep nesting" or "deep object" or "invalid UTF-8" or "invalid UTF-8 name" => 400,
        _ when request.Kind.StartsWith("body extra ", StringComparison.Ordinal) => 400,
        _ when request.Kind.EndsWith(" missing", StringComparison.Ordinal) && !OptionalField(request) => 400,
        _ => null,
    };

    // Fields that a request may leave out: seats/seatCount (one of them), description, and the 2nd of two alternatives.
    private static bool OptionalField(HostileRequest request)
        => request.Kind is "body seatCount missing" or "body description missing";

    private static bool ProblemStatusMatches(string body, int status)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("status", out var value) && value.GetInt32() == status
                && json.RootElement.TryGetProperty("title", out _) && json.RootElement.TryGetProperty("type", out _);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Clip(string body) => body.Length > 300 ? body[..300] + "..." : body;
}

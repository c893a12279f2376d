using System.Net;
using Dapper;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Data;
using TicketFunctions.Tests.Support;
using TicketFunctions.Tests.Telemetry.Otlp;

namespace TicketFunctions.Tests.Telemetry;

/// <summary>
/// What the app's real worker exports over OTLP while a user books and pays, received by a small OTLP/HTTP receiver
/// in this process: one trace from the POST that paid through the queue to the confirmation, the app's metrics with
/// their values, and logs that carry the invocation and the trace.
/// </summary>
public sealed class TelemetryOverOtlpTests : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly TimeSpan ExportedWithin = TimeSpan.FromSeconds(30);

    private readonly AzuriteFixture _azurite;

    public TelemetryOverOtlpTests(AzuriteFixture azurite) => _azurite = azurite;

    public Task InitializeAsync() => PaymentQueues.EmptyAsync(_azurite);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_payments_processing_gateway_call_and_confirmation_are_children_of_the_request_that_paid()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var host = await LocalHostApp.StartAsync(_azurite, receiver.Settings());
        var (_, _, _, payment) = await BookAndPayAsync(host);

        await using var connection = await host.Db.OpenAsync();
        var traceParent = await connection.ExecuteScalarAsync<string>("SELECT trace_parent FROM payments WHERE id = @Id", new { Id = payment });
        Assert.NotNull(traceParent);
        var (traceId, requestSpanId) = (traceParent[3..35], traceParent[36..52]);

        var process = await SpanAsync(receiver, s => s.Name == "process payment" && s.Attribute("tickets.payment.id") == payment.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(traceId, process.TraceId.Hex());
        Assert.Equal(requestSpanId, process.ParentSpanId.Hex());
        Assert.Equal(Span.Types.SpanKind.Consumer, process.Kind);

        // The request's span is the worker's invocation of CreatePayment, in the same trace as its ASP.NET Core request.
        var request = await SpanAsync(receiver, s => s.SpanId.Hex() == requestSpanId);
        Assert.Equal(traceId, request.TraceId.Hex());
        var server = await SpanAsync(receiver, s => s.Kind == Span.Types.SpanKind.Server && s.TraceId.Hex() == traceId && s.Attribute("url.path") == "/api/payments");
        Assert.Equal("POST", server.Attribute("http.request.method"));

        // The queue invocation that ran it is linked, so the host's trace of the message leads here too.
        var link = Assert.Single(process.Links);
        Assert.NotEqual(traceId, link.TraceId.Hex());

        var charge = await SpanAsync(receiver, s => s.Name == "payment gateway charge" && s.ParentSpanId == process.SpanId);
        Assert.Equal(Span.Types.SpanKind.Client, charge.Kind);
        Assert.Equal("true", charge.Attribute("tickets.charge.approved"));
        var confirm = await SpanAsync(receiver, s => s.Name == "confirm payment" && s.ParentSpanId == process.SpanId);
        Assert.True(confirm.StartTimeUnixNano >= charge.EndTimeUnixNano, "the confirmation starts after the charge has answered");

        // Statements are spans of their own under the step that ran them: ours on SQLite, Npgsql's on PostgreSQL.
        var statement = TestApp.Provider == DbProvider.Postgres
            ? await SpanAsync(receiver, s => s.ParentSpanId == confirm.SpanId && (s.Attribute("db.system.name") ?? s.Attribute("db.system")) == "postgresql")
            : await SpanAsync(receiver, s => s.Name == "payments/mark_payment_succeeded" && s.ParentSpanId == confirm.SpanId);
        Assert.Equal(Span.Types.SpanKind.Client, statement.Kind);
        Assert.Equal(TestApp.Provider == DbProvider.Postgres ? "postgresql" : "sqlite", statement.Attribute("db.system.name") ?? statement.Attribute("db.system"));
        Assert.Equal(traceId, statement.TraceId.Hex());

        // A log line of the processing carries the payment's trace, the processing's span and the worker's invocation.
        var processSpanId = process.SpanId.Hex();
        await Eventually.True(
            () => Task.FromResult(receiver.Logs.Any(l => l.TraceId.Hex() == traceId && l.Attribute("PaymentId") == payment.ToString(System.Globalization.CultureInfo.InvariantCulture)
                && l.Body.StringValue.Contains("succeeded", StringComparison.Ordinal) && l.SpanId.Hex() == processSpanId && l.Attribute("faas.name") == "ProcessPayment" && !string.IsNullOrEmpty(l.Attribute("faas.invocation_id")))),
            "the processing's 'Payment ... succeeded' log record, with the trace id and the invocation id",
            ExportedWithin);
    }

    [Fact]
    public async Task Holds_refusals_seats_sold_payments_and_their_time_to_settle_are_exported_as_metrics()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var settings = receiver.Settings();
        settings["Refunds__SweepSchedule"] = "*/1 * * * * *";
        await using var host = await LocalHostApp.StartAsync(_azurite, settings);
        var (api, token, _, _) = await BookAndPayAsync(host);
        (await api.Book(token, await ShowtimeOfAsync(host), "A1")).Expect(HttpStatusCode.Conflict);

        var holds = await SumAsync(receiver, "tickets.holds", _ => true, 1);
        Assert.Equal(1, holds);
        Assert.Equal(1, await SumAsync(receiver, "tickets.holds.refused", p => p.Attribute("reason") == "seats_taken", 1));
        Assert.Equal(2, await SumAsync(receiver, "tickets.seats.sold", _ => true, 2));
        Assert.Equal(1, await SumAsync(receiver, "tickets.payments", p => p.Attribute("outcome") == "success", 1));

        var duration = await HistogramAsync(receiver, "tickets.payment.duration", p => p.Attribute("outcome") == "success" && p.Count == 1);
        Assert.True(duration.Sum > 0 && duration.Sum < ExportedWithin.TotalSeconds, $"the payment took {duration.Sum} s from 202 to SUCCESS");
        Assert.Equal("s", receiver.Metrics.First(m => m.Name == "tickets.payment.duration").Unit);

        // The refund sweep (every second here) counts the refunds still owed: none.
        await Eventually.True(
            () => Task.FromResult(receiver.Metrics.Any(m => m.Name == "tickets.refunds.owed" && m.DataCase == Metric.DataOneofCase.Gauge && m.Gauge.DataPoints.Any(p => p.Value() == 0))),
            "a tickets.refunds.owed gauge point of 0",
            ExportedWithin);
    }

    private static async Task<(ApiClient Api, string Token, long Booking, long Payment)> BookAndPayAsync(LocalHostApp host)
    {
        var api = new ApiClient(host.Client);
        await api.CreateShowtime(await api.LoginAsAdmin());
        var (token, _) = await api.RegisterAndLogin();
        var booking = (await api.Book(token, await ShowtimeOfAsync(host), "A1", "A2")).Expect(HttpStatusCode.Created).Id;
        var payment = (await api.Pay(token, booking, "tok_visa")).Expect(HttpStatusCode.Accepted).Id;
        var settled = await api.PollUntil($"api/payments/{payment}", token, p => p.Field("status") != "PENDING", ExportedWithin);
        Assert.Equal("SUCCESS", settled.Field("status"));
        return (api, token, booking, payment);
    }

    private static async Task<long> ShowtimeOfAsync(LocalHostApp host)
    {
        await using var connection = await host.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT max(id) FROM showtimes");
    }

    private static async Task<Span> SpanAsync(OtlpReceiver receiver, Func<Span, bool> match)
    {
        Span? found = null;
        await Eventually.True(() => Task.FromResult((found = receiver.Spans.FirstOrDefault(match)) is not null), "the span was exported", ExportedWithin);
        return found!;
    }

    /// <summary>The newest cumulative value of a counter's matching points, once it reaches <paramref name="atLeast"/>.</summary>
    private static async Task<long> SumAsync(OtlpReceiver receiver, string name, Func<NumberDataPoint, bool> match, long atLeast)
    {
        long Latest() => receiver.Metrics.Where(m => m.Name == name && m.DataCase == Metric.DataOneofCase.Sum)
            .SelectMany(m => m.Sum.DataPoints).Where(match).OrderBy(p => p.TimeUnixNano).Select(p => p.Value()).LastOrDefault();
        await Eventually.True(() => Task.FromResult(Latest() >= atLeast), $"{name} reaches {atLeast}", ExportedWithin);
        return Latest();
    }

    private static async Task<HistogramDataPoint> HistogramAsync(OtlpReceiver receiver, string name, Func<HistogramDataPoint, bool> match)
    {
        HistogramDataPoint? found = null;
        await Eventually.True(
            () => Task.FromResult((found = receiver.Metrics.Where(m => m.Name == name && m.DataCase == Metric.DataOneofCase.Histogram)
                .SelectMany(m => m.Histogram.DataPoints).LastOrDefault(match)) is not null),
            $"a {name} point",
            ExportedWithin);
        return found!;
    }
}

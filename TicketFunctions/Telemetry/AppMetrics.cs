using System.Diagnostics;
using System.Diagnostics.Metrics;
using TicketFunctions.Common;

namespace TicketFunctions.Telemetry;

/// <summary>
/// The app's metrics, named and united for an operator's charts (README, "Metrics"). Static like the meter they
/// live on: instruments cost nothing until a listener (OpenTelemetry's meter provider) subscribes.
/// </summary>
public static class AppMetrics
{
    public const string MeterName = "TicketFunctions";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Holds = Meter.CreateCounter<long>(
        "tickets.holds", "{hold}", "Seat holds placed (PENDING bookings created).");

    private static readonly Counter<long> HoldsRefused = Meter.CreateCounter<long>(
        "tickets.holds.refused", "{hold}", "Hold requests refused with 409, by reason (not_enough_seats, seats_taken, seat_limit, showtime_started).");

    private static readonly Counter<long> SeatsSold = Meter.CreateCounter<long>(
        "tickets.seats.sold", "{seat}", "Seats sold: their booking was confirmed by a successful payment.");

    private static readonly Counter<long> Payments = Meter.CreateCounter<long>(
        "tickets.payments", "{payment}", "Payments settled, by outcome (success, failed, refunded: charged but not kept) and reason.");

    private static readonly Histogram<double> PaymentDuration = Meter.CreateHistogram(
        "tickets.payment.duration", "s", "Time from a payment's 202 to its settlement (SUCCESS, FAILED or REFUNDED).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300] });

    private static readonly Gauge<long> RefundsOwed = Meter.CreateGauge<long>(
        "tickets.refunds.owed", "{refund}", "Refunds owed and not yet made, as the last refund sweep counted them.");

    /// <summary>A hold request's outcome: counted as placed, or as refused with its conflict's code.</summary>
    public static void HoldAnswered<T>(Result<T> result)
    {
        if (result.IsSuccess)
        {
            Holds.Add(1);
        }
        else if (result.Error is Error.Conflict conflict)
        {
            HoldsRefused.Add(1, new KeyValuePair<string, object?>("reason", conflict.Code));
        }
    }

    public static void PaymentSucceeded(int seatsSold, TimeSpan sinceAccepted)
    {
        SeatsSold.Add(seatsSold);
        Settled("success", null, sinceAccepted);
    }

    public static void PaymentFailed(string reason, TimeSpan sinceAccepted) => Settled("failed", reason, sinceAccepted);

    public static void PaymentRefunded(string reason, TimeSpan sinceAccepted) => Settled("refunded", reason, sinceAccepted);

    public static void RefundsOwedCounted(long owed) => RefundsOwed.Record(owed);

    private static void Settled(string outcome, string? reason, TimeSpan sinceAccepted)
    {
        var tags = new TagList { { "outcome", outcome } };
        if (reason is not null)
        {
            tags.Add("reason", reason);
        }

        Payments.Add(1, tags);
        PaymentDuration.Record(Math.Max(0, sinceAccepted.TotalSeconds), tags);
    }
}

using Dapper;
using TicketFunctions.Common;
using TicketFunctions.Data;
using TicketFunctions.Payments;

namespace TicketFunctions.Admin;

/// <summary>Read models for administrators: the logic behind <see cref="AdminFunctions"/>. Every sum is computed in SQL.</summary>
public sealed class AdminService(Db db, TimeProvider clock)
{
    private static readonly SqlScript ListBookings = Sql.Load("admin/list_bookings");
    private static readonly SqlScript CountBookings = Sql.Load("admin/count_bookings");
    private static readonly SqlScript GetBooking = Sql.Load("admin/get_booking");
    private static readonly SqlScript GetBookingPayments = Sql.Load("admin/get_booking_payments");
    private static readonly SqlScript SalesByMovie = Sql.Load("admin/sales_by_movie");
    private static readonly SqlScript SalesTotalsSql = Sql.Load("admin/sales_totals");

    public async Task<PagedList<AdminBookingResponse>> ListBookingsAsync(AdminBookingQuery query, CancellationToken cancellationToken)
    {
        var parameters = new
        {
            query.Status,
            query.UserId,
            query.ShowtimeId,
            query.MovieId,
            From = query.From?.ToUnixMs(),
            To = query.To?.ToUnixMs(),
            Now = clock.UnixMsNow(),
            Limit = query.PageSize,
            query.Offset,
        };
        await using var connection = await db.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountBookings.For(connection), parameters, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<AdminBookingRow>(new CommandDefinition(ListBookings.For(connection), parameters, cancellationToken: cancellationToken));
        return PagedList<AdminBookingResponse>.Of([.. rows.Select(AdminBookingResponse.From)], query, total);
    }

    public async Task<AdminBookingDetailResponse?> GetBookingAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var booking = await connection.QuerySingleOrDefaultAsync<AdminBookingRow>(GetBooking, new { Id = id, Now = clock.UnixMsNow() });
        if (booking is null)
        {
            return null;
        }

        var payments = await connection.QueryAsync<PaymentView>(GetBookingPayments, new { BookingId = id });
        return AdminBookingDetailResponse.From(booking, payments);
    }

    public async Task<SalesReportResponse> SalesReportAsync(SalesQuery query, CancellationToken cancellationToken)
    {
        var parameters = new { From = query.From?.ToUnixMs(), To = query.To?.ToUnixMs() };
        await using var connection = await db.OpenAsync(cancellationToken);
        var movies = await connection.QueryAsync<SalesRow>(new CommandDefinition(SalesByMovie.For(connection), parameters, cancellationToken: cancellationToken));
        var totals = await connection.QuerySingleAsync<SalesRow>(new CommandDefinition(SalesTotalsSql.For(connection), parameters, cancellationToken: cancellationToken));
        return new SalesReportResponse(
            query.From,
            query.To,
            [.. movies.Select(m => new MovieSales(m.MovieId, m.Title, m.TicketsSold, Money.FromCents(m.RevenueCents), m.Showtimes))],
            new SalesTotals(totals.TicketsSold, Money.FromCents(totals.RevenueCents), totals.Showtimes));
    }
}

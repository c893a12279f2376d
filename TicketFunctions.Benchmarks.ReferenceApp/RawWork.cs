using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace TicketFunctions.Benchmarks.ReferenceApp;

/// <summary>
/// The raw work of the benchmarks' baselines, with nothing around it: the hold transaction (a booking, its two
/// booking_seats, its two seat rows claimed), the rush's claim of one seat (the fastest correct statement found, and
/// the old lock-then-check pattern beside it), and the seat map (the app's query and an answer
/// of the same bytes), straight on Microsoft.Data.Sqlite or Npgsql. Baseline (a) calls it in the bench process,
/// (b) from HTTP functions in the reference app under the local host, (c) from a bare Kestrel process: one source file
/// (linked into the bench), so the three do the same work.
/// </summary>
public sealed class RawStore : IAsyncDisposable
{
    private const long HoldMs = 600_000;
    private const long UnitPriceCents = 1250;

    // The app's own sql/catalog/seat_map.sql, embedded in each assembly that compiles this file.
    private static readonly string SeatMapSql = Embedded("seat_map.sql");

    private const string InsertBookingSql = """
        INSERT INTO bookings (showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at)
        VALUES (@ShowtimeId, @UserId, @SeatCount, @UnitPriceCents, @TotalPriceCents, 'PENDING', @Now, @ExpiresAt) RETURNING id;
        """;

    private const string InsertTwoSeatsSql = "INSERT INTO booking_seats (booking_id, seat) VALUES (@BookingId, @Seat1), (@BookingId, @Seat2);";

    // A seat row is claimed in place, only while it has no live claim (the app's rule): 2 rows changed or the hold fails.
    private const string ClaimTwoSql = """
        UPDATE seat_claims SET booking_id = @BookingId, expires_at = @ExpiresAt
        WHERE showtime_id = @ShowtimeId AND seat IN (@Seat1, @Seat2) AND expires_at IS NOT NULL AND expires_at <= @Now;
        """;

    // PostgreSQL's hold of two named seats in one statement: the booking, its seats, the two seat rows claimed in
    // place (each waiting only for a writer of that very seat); fewer than 2 claimed and the caller rolls back.
    private const string HoldTwoPostgresSql = """
        WITH booking AS (
            INSERT INTO bookings (showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at)
            VALUES (@ShowtimeId, @UserId, 2, @UnitPriceCents, @TotalPriceCents, 'PENDING', @Now, @ExpiresAt)
            RETURNING id
        ), seats AS (
            INSERT INTO booking_seats (booking_id, seat) SELECT booking.id, s FROM booking, (VALUES (@Seat1), (@Seat2)) v (s)
        ), claimed AS (
            UPDATE seat_claims c SET booking_id = booking.id, expires_at = @ExpiresAt FROM booking
            WHERE c.showtime_id = @ShowtimeId AND c.seat IN (@Seat1, @Seat2) AND c.expires_at IS NOT NULL AND c.expires_at <= @Now
            RETURNING 1
        )
        SELECT (SELECT id FROM booking), (SELECT count(*) FROM claimed);
        """;

    // The rush's best raw statement on PostgreSQL: the first free seat row that no other claim is locking, claimed
    // with its booking and booking seat in one statement; no row back means no free seat was left to lock.
    private const string ClaimOnePostgresSql = """
        WITH seat AS (
            SELECT showtime_id, seat FROM seat_claims
            WHERE showtime_id = @ShowtimeId AND expires_at IS NOT NULL AND expires_at <= @Now
            ORDER BY seat_row, seat_number
            LIMIT 1
            FOR UPDATE SKIP LOCKED
        ), booking AS (
            INSERT INTO bookings (showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at)
            SELECT @ShowtimeId, @UserId, 1, @UnitPriceCents, @TotalPriceCents, 'PENDING', @Now, @ExpiresAt FROM seat
            RETURNING id
        ), seats AS (
            INSERT INTO booking_seats (booking_id, seat) SELECT booking.id, seat.seat FROM booking, seat
        ), claimed AS (
            UPDATE seat_claims c SET booking_id = booking.id, expires_at = @ExpiresAt FROM booking, seat
            WHERE c.showtime_id = seat.showtime_id AND c.seat = seat.seat
        )
        SELECT booking.id, seat.seat FROM booking, seat;
        """;

    // SQLite's: under the one writer, the first free seat row, then the booking, its seat and the claim.
    private const string FirstFreeSeatSql = """
        SELECT seat FROM seat_claims
        WHERE showtime_id = @ShowtimeId AND expires_at IS NOT NULL AND expires_at <= @Now
        ORDER BY seat_row, seat_number LIMIT 1;
        """;

    private const string InsertOneSeatSql = "INSERT INTO booking_seats (booking_id, seat) VALUES (@BookingId, @Seat1);";

    private const string ClaimOneSql = "UPDATE seat_claims SET booking_id = @BookingId, expires_at = @ExpiresAt WHERE showtime_id = @ShowtimeId AND seat = @Seat1;";

    // The old pattern, kept to show what it costs: the showtime row first (on PostgreSQL locked, so that claims on one
    // showtime queue), then the count of live claims, then the same rows.
    private const string CapacitySql = "SELECT t.seat_rows * t.seats_per_row, t.seats_per_row FROM showtimes s JOIN theatres t ON t.id = s.theatre_id WHERE s.id = @ShowtimeId";

    private const string CountClaimsSql = "SELECT count(*) FROM seat_claims WHERE showtime_id = @ShowtimeId AND (expires_at IS NULL OR expires_at > @Now);";

    private static readonly byte[][][] Fragments = [.. new[] { "available", "held", "booked" }.Select(status =>
        Enumerable.Range(0, 26 * 50)
            .Select(i => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"{{\"seat\":\"{(char)('A' + (i / 50))}{(i % 50) + 1}\",\"row\":\"{(char)('A' + (i / 50))}\",\"number\":{(i % 50) + 1},\"status\":\"{status}\"}}")))
            .ToArray())];

    private readonly NpgsqlDataSource? _postgres;
    private readonly string _sqlite = "";
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private SqliteWriter? _writer;

    private RawStore(NpgsqlDataSource? postgres, string sqlite)
    {
        _postgres = postgres;
        _sqlite = sqlite;
    }

    public bool IsPostgres => _postgres is not null;

    /// <summary>From the app's own setting names: Database:Provider, Database:Path, Database:ConnectionString.</summary>
    public static RawStore Create(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (string.Equals(setting("Database:Provider"), "postgres", StringComparison.OrdinalIgnoreCase))
        {
            var connectionString = setting("Database:ConnectionString") ?? throw new InvalidOperationException("Database:ConnectionString is not set.");
            return new RawStore(NpgsqlDataSource.Create(connectionString), "");
        }

        var path = setting("Database:Path") ?? throw new InvalidOperationException("Database:Path is not set.");
        return new RawStore(null, new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString());
    }

    public async Task<bool> HealthAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = await PreparedAsync(connection, null, "SELECT 1;", cancellationToken);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 1;
    }

    /// <summary>
    /// A hold of two named seats in one write transaction: the booking, its two booking_seats, its two seat rows
    /// claimed in place (null when one was taken). SQLite: one writer connection with its commands prepared once,
    /// BEGIN IMMEDIATE, one writer at a time (as SQLite allows). PostgreSQL: a pooled connection per hold, READ
    /// COMMITTED, one prepared statement (kept per connection) and the commit.
    /// </summary>
    public async Task<long?> HoldAsync(long showtimeId, long userId, string seat1, string seat2, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (_postgres is null)
        {
            await _writerGate.WaitAsync(cancellationToken);
            try
            {
                var writer = _writer ??= SqliteWriter.Open(_sqlite);
                using var transaction = writer.Connection.BeginTransaction(deferred: false);
                var id = writer.InsertBooking(transaction, showtimeId, userId, 2, now);
                writer.TwoSeats.Transaction = writer.TwoClaims.Transaction = transaction;
                Bind(writer.TwoSeats, ("@BookingId", id), ("@Seat1", seat1), ("@Seat2", seat2));
                writer.TwoSeats.ExecuteNonQuery();
                Bind(writer.TwoClaims, ("@ShowtimeId", showtimeId), ("@BookingId", id), ("@Seat1", seat1), ("@Seat2", seat2), ("@ExpiresAt", now + HoldMs), ("@Now", now));
                if (writer.TwoClaims.ExecuteNonQuery() != 2)
                {
                    transaction.Rollback();
                    return null;
                }

                transaction.Commit();
                return id;
            }
            finally
            {
                _writerGate.Release();
            }
        }

        await using var connection = await _postgres.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        long booking, claimed;
        await using (var command = await PreparedAsync(connection, tx, HoldTwoPostgresSql, cancellationToken,
            ("@ShowtimeId", showtimeId), ("@UserId", userId), ("@UnitPriceCents", UnitPriceCents), ("@TotalPriceCents", UnitPriceCents * 2),
            ("@Now", now), ("@ExpiresAt", now + HoldMs), ("@Seat1", seat1), ("@Seat2", seat2)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (booking, claimed) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        if (claimed != 2)
        {
            await tx.RollbackAsync(cancellationToken);
            return null;
        }

        await tx.CommitAsync(cancellationToken);
        return booking;
    }

    /// <summary>
    /// The rush's raw work: one seat of the showtime, the first free one in row-major order, or null when none is
    /// free. PostgreSQL: one statement that claims the first free seat row no other claim is locking (FOR UPDATE SKIP
    /// LOCKED), with its booking and booking seat, and the commit. SQLite: under the one writer, the first free seat,
    /// then the same three rows.
    /// </summary>
    public async Task<(long Id, string Seat)?> ClaimOneAsync(long showtimeId, long userId, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (_postgres is null)
        {
            await _writerGate.WaitAsync(cancellationToken);
            try
            {
                var writer = _writer ??= SqliteWriter.Open(_sqlite);
                using var transaction = writer.Connection.BeginTransaction(deferred: false);
                string? seat;
                await using (var first = await PreparedAsync(writer.Connection, transaction, FirstFreeSeatSql, cancellationToken, ("@ShowtimeId", showtimeId), ("@Now", now)))
                {
                    seat = await first.ExecuteScalarAsync(cancellationToken) as string;
                }

                return seat is null ? null : await InsertClaimAsync(writer.Connection, transaction, showtimeId, userId, seat, now, cancellationToken);
            }
            finally
            {
                _writerGate.Release();
            }
        }

        await using var connection = await _postgres.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        (long Id, string Seat)? claim = null;
        await using (var command = await PreparedAsync(connection, tx, ClaimOnePostgresSql, cancellationToken,
            ("@ShowtimeId", showtimeId), ("@UserId", userId), ("@UnitPriceCents", UnitPriceCents), ("@TotalPriceCents", UnitPriceCents),
            ("@Now", now), ("@ExpiresAt", now + HoldMs)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                claim = (reader.GetInt64(0), reader.GetString(1));
            }
        }

        await tx.CommitAsync(cancellationToken);
        return claim;
    }

    /// <summary>
    /// The old pattern of the rush's claim, kept as a row of its own so that its cost stays visible: the showtime row
    /// first (locked on PostgreSQL, so every claim of the showtime waits for the one before), the count of live
    /// claims, then the booking, its seat and the claim, each a round trip under the lock.
    /// </summary>
    public async Task<(long Id, string Seat)?> ClaimOneLockThenCheckAsync(long showtimeId, long userId, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (_postgres is null)
        {
            await _writerGate.WaitAsync(cancellationToken);
            try
            {
                var writer = _writer ??= SqliteWriter.Open(_sqlite);
                using var transaction = writer.Connection.BeginTransaction(deferred: false);
                return await LockThenCheckAsync(writer.Connection, transaction, showtimeId, userId, now, lockRow: false, cancellationToken);
            }
            finally
            {
                _writerGate.Release();
            }
        }

        await using var connection = await _postgres.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        return await LockThenCheckAsync(connection, tx, showtimeId, userId, now, lockRow: true, cancellationToken);
    }

    /// <summary>The seat map's JSON: the app's query, then the same bytes as the app's answer (null: no such showtime).</summary>
    public async Task<byte[]?> SeatMapAsync(long showtimeId, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var connection = await OpenAsync(cancellationToken);
        int rows, seatsPerRow;
        string? claims;
        await using (var map = await PreparedAsync(connection, null, SeatMapSql, cancellationToken, ("@Id", showtimeId), ("@Now", now)))
        await using (var reader = await map.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            rows = (int)reader.GetInt64(0);
            seatsPerRow = (int)reader.GetInt64(1);
            claims = reader.IsDBNull(2) ? null : reader.GetString(2);
        }

        var statuses = new byte[rows * seatsPerRow];
        foreach (var range in claims.AsSpan().Split(','))
        {
            var claim = claims.AsSpan(range);
            if (claim.Length >= 4 && int.TryParse(claim[1..^2], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                && claim[0] - 'A' is var row && row >= 0 && row < rows && number >= 1 && number <= seatsPerRow)
            {
                statuses[(row * seatsPerRow) + number - 1] = claim[^1] == 'b' ? (byte)2 : (byte)1;
            }
        }

        return WriteSeatMap(showtimeId, rows, seatsPerRow, statuses);
    }

    private static string Embedded(string name)
    {
        using var stream = typeof(RawStore).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in {typeof(RawStore).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        _writer?.Dispose();
        _writerGate.Dispose();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    private static byte[] WriteSeatMap(long showtimeId, int rows, int seatsPerRow, byte[] statuses)
    {
        var head = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"showtimeId\":{showtimeId},\"seats\":["));
        var length = head.Length + 2 + Math.Max(0, statuses.Length - 1);
        for (var i = 0; i < statuses.Length; i++)
        {
            length += Fragment(i, seatsPerRow, statuses[i]).Length;
        }

        var json = new byte[length];
        head.CopyTo(json, 0);
        var at = head.Length;
        for (var i = 0; i < rows * seatsPerRow; i++)
        {
            if (i > 0)
            {
                json[at++] = (byte)',';
            }

            var fragment = Fragment(i, seatsPerRow, statuses[i]);
            fragment.CopyTo(json, at);
            at += fragment.Length;
        }

        json[at++] = (byte)']';
        json[at] = (byte)'}';
        return json;
    }

    private static byte[] Fragment(int index, int seatsPerRow, byte status) => Fragments[status][((index / seatsPerRow) * 50) + (index % seatsPerRow)];

    private static async Task<(long Id, string Seat)?> LockThenCheckAsync(DbConnection connection, DbTransaction transaction, long showtimeId, long userId, long now, bool lockRow, CancellationToken cancellationToken)
    {
        long capacity, seatsPerRow;
        await using (var command = await PreparedAsync(connection, transaction, lockRow ? CapacitySql + " FOR UPDATE OF s;" : CapacitySql + ";", cancellationToken, ("@ShowtimeId", showtimeId)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            capacity = reader.GetInt64(0);
            seatsPerRow = reader.GetInt64(1);
        }

        long taken;
        await using (var count = await PreparedAsync(connection, transaction, CountClaimsSql, cancellationToken, ("@ShowtimeId", showtimeId), ("@Now", now)))
        {
            taken = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        if (taken >= capacity)
        {
            await transaction.RollbackAsync(cancellationToken);
            return null;
        }

        var seat = string.Create(CultureInfo.InvariantCulture, $"{(char)('A' + (taken / seatsPerRow))}{(taken % seatsPerRow) + 1}");
        return await InsertClaimAsync(connection, transaction, showtimeId, userId, seat, now, cancellationToken);
    }

    private static async Task<(long Id, string Seat)?> InsertClaimAsync(DbConnection connection, DbTransaction transaction, long showtimeId, long userId, string seat, long now, CancellationToken cancellationToken)
    {
        var booking = await InsertBookingAsync(connection, transaction, showtimeId, userId, 1, now, cancellationToken);
        await ExecuteAsync(connection, transaction, InsertOneSeatSql, cancellationToken, ("@BookingId", booking), ("@Seat1", seat));
        await ExecuteAsync(connection, transaction, ClaimOneSql, cancellationToken, ("@ShowtimeId", showtimeId), ("@BookingId", booking), ("@Seat1", seat), ("@ExpiresAt", now + HoldMs));
        await transaction.CommitAsync(cancellationToken);
        return (booking, seat);
    }

    private static async Task<long> InsertBookingAsync(DbConnection connection, DbTransaction transaction, long showtimeId, long userId, int seats, long now, CancellationToken cancellationToken)
    {
        await using var command = await PreparedAsync(connection, transaction, InsertBookingSql, cancellationToken, BookingValues(showtimeId, userId, seats, now));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static (string, object)[] BookingValues(long showtimeId, long userId, int seats, long now) =>
    [
        ("@ShowtimeId", showtimeId), ("@UserId", userId), ("@SeatCount", (long)seats), ("@UnitPriceCents", UnitPriceCents),
        ("@TotalPriceCents", UnitPriceCents * seats), ("@Now", now), ("@ExpiresAt", now + HoldMs),
    ];

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] values)
    {
        await using var command = await PreparedAsync(connection, transaction, sql, cancellationToken, values);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object Value)[] values)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // The SQL is one of this class's constants.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in values)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>A command ready to run: on PostgreSQL prepared (Npgsql keeps a prepared statement per physical connection, so a pooled connection prepares each text once).</summary>
    private static async Task<DbCommand> PreparedAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] values)
    {
        var command = Command(connection, transaction, sql, values);
        if (connection is NpgsqlConnection)
        {
            await command.PrepareAsync(cancellationToken);
        }

        return command;
    }

    private static void Bind(SqliteCommand command, params (string Name, object Value)[] values)
    {
        foreach (var (name, value) in values)
        {
            command.Parameters[name].Value = value;
        }
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }

        var connection = new SqliteConnection(_sqlite);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>SQLite's one writer: a connection and the hold's commands, prepared once.</summary>
    private sealed class SqliteWriter : IDisposable
    {
        private SqliteWriter(SqliteConnection connection)
        {
            Connection = connection;
            Booking = Prepared(connection, InsertBookingSql, "@ShowtimeId", "@UserId", "@SeatCount", "@UnitPriceCents", "@TotalPriceCents", "@Now", "@ExpiresAt");
            TwoSeats = Prepared(connection, InsertTwoSeatsSql, "@BookingId", "@Seat1", "@Seat2");
            TwoClaims = Prepared(connection, ClaimTwoSql, "@ShowtimeId", "@BookingId", "@Seat1", "@Seat2", "@ExpiresAt", "@Now");
        }

        public SqliteConnection Connection { get; }

        public SqliteCommand Booking { get; }

        public SqliteCommand TwoSeats { get; }

        public SqliteCommand TwoClaims { get; }

        public static SqliteWriter Open(string connectionString)
        {
            var connection = new SqliteConnection(connectionString);
            connection.Open();
            using (var pragmas = connection.CreateCommand())
            {
                // The app's settings for its connections (WAL is the file's, set by the migrations).
                pragmas.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";
                pragmas.ExecuteNonQuery();
            }

            return new SqliteWriter(connection);
        }

        public long InsertBooking(SqliteTransaction transaction, long showtimeId, long userId, int seats, long now)
        {
            Booking.Transaction = transaction;
            Bind(Booking, BookingValues(showtimeId, userId, seats, now));
            return (long)Booking.ExecuteScalar()!;
        }

        public void Dispose()
        {
            Booking.Dispose();
            TwoSeats.Dispose();
            TwoClaims.Dispose();
            Connection.Dispose();
        }

        private static SqliteCommand Prepared(SqliteConnection connection, string sql, params string[] names)
        {
            var command = connection.CreateCommand();
#pragma warning disable CA2100 // The SQL is one of this class's constants.
            command.CommandText = sql;
#pragma warning restore CA2100
            foreach (var name in names)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            command.Prepare();
            return command;
        }
    }
}

/// <summary>An HTTP answer of the baselines: a status and its JSON bytes.</summary>
public readonly record struct RawAnswer(int Status, byte[] Body);

/// <summary>The HTTP side of baselines (b) and (c), shared so that both parse and answer alike.</summary>
public static class RawHttp
{
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static async Task<RawAnswer> HealthAsync(RawStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await store.HealthAsync(cancellationToken) ? new(200, "{\"status\":\"Healthy\"}"u8.ToArray()) : new(503, "{}"u8.ToArray());
    }

    /// <summary>POST {"showtimeId":1,"userId":2,"seats":["A1","A2"]}: 201 {"id":N,"status":"PENDING"}, or 409 when a seat is taken.</summary>
    public static async Task<RawAnswer> HoldAsync(RawStore store, Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var request = await JsonSerializer.DeserializeAsync<HoldRequest>(body, Web, cancellationToken);
        if (request is not { Seats: [var seat1, var seat2] })
        {
            return new(400, "{}"u8.ToArray());
        }

        return await store.HoldAsync(request.ShowtimeId, request.UserId, seat1, seat2, cancellationToken) is { } id
            ? new(201, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{id},\"status\":\"PENDING\"}}")))
            : new(409, "{\"error\":\"seats_taken\"}"u8.ToArray());
    }

    /// <summary>POST {"showtimeId":1,"userId":2}: 201 {"id":N,"seat":"A1"}, or 409 when the showtime is full.</summary>
    public static async Task<RawAnswer> ClaimAsync(RawStore store, Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var request = await JsonSerializer.DeserializeAsync<HoldRequest>(body, Web, cancellationToken);
        if (request is null)
        {
            return new(400, "{}"u8.ToArray());
        }

        return await store.ClaimOneAsync(request.ShowtimeId, request.UserId, cancellationToken) is { } claim
            ? new(201, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{claim.Id},\"seat\":\"{claim.Seat}\"}}")))
            : new(409, "{\"error\":\"sold_out\"}"u8.ToArray());
    }

    public static async Task<RawAnswer> SeatMapAsync(RawStore store, long showtimeId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await store.SeatMapAsync(showtimeId, cancellationToken) is { } json ? new(200, json) : new(404, "{}"u8.ToArray());
    }

    private sealed record HoldRequest(long ShowtimeId, long UserId, string[]? Seats);
}

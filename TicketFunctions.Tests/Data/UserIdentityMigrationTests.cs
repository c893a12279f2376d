using Dapper;
using Microsoft.Data.Sqlite;
using TicketFunctions.Data;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Data;

/// <summary>
/// Migration 0028 on a SQLite database that already has users with bookings: the users table is rebuilt for
/// AUTOINCREMENT with its rows, their ids and every foreign key kept, and ids are never handed out twice after it.
/// </summary>
public sealed class UserIdentityMigrationTests
{
    [Fact]
    public async Task Rebuilding_users_on_SQLite_keeps_every_row_id_and_reference_and_ids_are_not_reused_after()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ticketfunctions-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "before.db");
        var before = Sql.Migrations(DbProvider.Sqlite).TakeWhile(m => string.CompareOrdinal(m.Key, "0028") < 0).ToList();
        await using (var connection = new SqliteConnection($"Data Source={path};Foreign Keys=True"))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("CREATE TABLE schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT;");
            foreach (var (id, script) in before)
            {
                await connection.ExecuteAsync(script);
                await connection.ExecuteAsync("INSERT INTO schema_migrations (id, applied_at) VALUES (@id, 0);", new { id });
            }

            // Two users, the newer one with a booking, written as the app wrote them before 0028.
            await connection.ExecuteAsync("""
                INSERT INTO users (id, email, normalized_email, full_name, password_hash, role, created_at) VALUES
                    (1, 'Ada@Example.com', 'ADA@EXAMPLE.COM', 'Ada', 'h1', 'Admin', 0),
                    (2, 'bo@example.com', 'BO@EXAMPLE.COM', 'Bo', 'h2', 'User', 0);
                INSERT INTO movies (id, title, description, genre, duration_minutes, rating, release_date, created_at) VALUES (1, 'M', '', 'Drama', 100, 'PG', '2026-01-01', 0);
                INSERT INTO theatres (id, name, city, address, seat_rows, seats_per_row, created_at) VALUES (1, 'T', 'C', 'A', 1, 2, 0);
                INSERT INTO showtimes (id, movie_id, theatre_id, starts_at, ends_at, price_cents, created_at) VALUES (1, 1, 1, 1000, 2000, 100, 0);
                INSERT INTO bookings (id, showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at) VALUES (1, 1, 2, 1, 100, 100, 'PENDING', 0, 500);
                """);
        }

        // SQLite in either test pass: the rebuild is SQLite's alone (PostgreSQL adds the columns in place).
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Database:Provider"] = "sqlite", ["Database:Path"] = path });

        await using var db = await app.Db.OpenAsync();
        var users = (await db.QueryAsync<(long Id, string Email, string Normalized, string Skeleton, string Stamp)>(
            "SELECT id, email, normalized_email, email_skeleton, security_stamp FROM users WHERE id IN (1, 2) ORDER BY id")).ToList();
        Assert.Equal([(1L, "Ada@Example.com", "ada@example.com"), (2L, "bo@example.com", "bo@example.com")], users.Select(u => (u.Id, u.Email, u.Normalized)));
        Assert.All(users, u => Assert.Equal(32, u.Stamp.Length));
        Assert.NotEqual(users[0].Stamp, users[1].Stamp);
        Assert.Equal(2L, await db.ExecuteScalarAsync<long>("SELECT user_id FROM bookings WHERE id = 1"));
        Assert.Empty(await db.QueryAsync("PRAGMA foreign_key_check;"));
        Assert.Equal(1L, await db.ExecuteScalarAsync<long>("PRAGMA foreign_keys;"));
        Assert.Contains("AUTOINCREMENT", await db.ExecuteScalarAsync<string>("SELECT sql FROM sqlite_schema WHERE name = 'users'"), StringComparison.Ordinal);

        // The newest user goes (its booking first); the next registrant still gets a new id.
        await db.ExecuteAsync("DELETE FROM bookings WHERE user_id = 2; DELETE FROM users WHERE id = (SELECT max(id) FROM users);");
        var newest = await db.ExecuteScalarAsync<long>("SELECT max(id) FROM users");
        var (_, next) = await app.RegisterAndLogin();
        Assert.True(next > Math.Max(newest, 2), $"id {next} after the deletion of the newest user");
    }
}

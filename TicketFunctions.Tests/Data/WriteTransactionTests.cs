using Microsoft.Data.Sqlite;
using TicketFunctions.Auth;
using TicketFunctions.Data;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Data;

/// <summary>
/// The app's writes (<see cref="Db.WriteAsync"/>): on SQLite one writer per process behind an async gate, with its
/// statements prepared once; on PostgreSQL a pooled connection per write. Both providers run the behaviour tests.
/// </summary>
public sealed class WriteTransactionTests
{
    private static readonly SqlScript Sum = new("test/sum", "SELECT @A + coalesce(@B, 0);", "SELECT @A + coalesce(@B, 0);");

    [Fact]
    public async Task A_second_write_waits_for_the_first_to_commit_and_not_for_its_scope_to_end()
    {
        await using var app = await TestApp.StartAsync();
        await using var first = await app.Db.WriteAsync();
        await first.Connection.ExecuteAsync(Insert, new { Id = 9001 }, first.Transaction);

        var second = app.Db.WriteAsync();
        if (app.Db.Provider == DbProvider.Sqlite)
        {
            // The gate, not SQLite's busy handler, holds the second writer: it is waiting, and no thread is.
            await Task.Delay(200);
            Assert.False(second.IsCompleted);
        }

        await first.CommitAsync();
        await using (var write = await second.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(1L, await write.Connection.ExecuteScalarAsync<long>(Count, new { Id = 9001 }, write.Transaction));
        }

        Assert.Equal(1L, await app.Scalar<long>("SELECT count(*) FROM schema_migrations WHERE id = 'test-9001'"));
    }

    [Fact]
    public async Task The_apps_one_statement_writes_wait_for_the_writer_instead_of_failing_on_the_busy_timeout()
    {
        // A busy timeout far shorter than the write in the way: a statement that met SQLite's lock would fail.
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Database:BusyTimeout"] = "00:00:00.1" });
        await using var first = await app.Db.WriteAsync();
        await first.Connection.ExecuteAsync(Insert, new { Id = 9003 }, first.Transaction);

        // A login writes twice (the attempt counted before the hash, then the count cleared), each a write of its own.
        var login = app.Get<AuthService>().LoginAsync(new LoginRequest(TestApp.AdminEmail, TestApp.AdminPassword), "192.0.2.1", CancellationToken.None);
        await Task.Delay(600);
        if (app.Db.Provider == DbProvider.Sqlite)
        {
            Assert.False(login.IsCompleted);
            await using var outside = await app.Db.OpenAsync();
            var busy = await Assert.ThrowsAsync<SqliteException>(() => outside.ExecuteAsync(Insert, new { Id = 9004 }));
            Assert.Equal(5, busy.SqliteErrorCode);
        }

        await first.CommitAsync();
        var answer = await login.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(answer.IsSuccess, answer.Error?.ToString());
    }

    [Fact]
    public async Task A_write_disposed_without_a_commit_rolls_back_and_lets_the_next_writer_in()
    {
        await using var app = await TestApp.StartAsync();
        await using (var write = await app.Db.WriteAsync())
        {
            await write.Connection.ExecuteAsync(Insert, new { Id = 9002 }, write.Transaction);
        }

        await using (var next = await app.Db.WriteAsync().WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(0L, await next.Connection.ExecuteScalarAsync<long>(Count, new { Id = 9002 }, next.Transaction));
        }

    }

    [Fact]
    public async Task A_statement_run_again_with_arguments_of_another_shape_never_keeps_the_last_ones_values()
    {
        await using var app = await TestApp.StartAsync();
        await using (var write = await app.Db.WriteAsync())
        {
            Assert.Equal(3L, await write.Connection.ExecuteScalarAsync<long>(Sum, new { A = 1L, B = 2L }, write.Transaction));
            Assert.Equal(5L, await write.Connection.ExecuteScalarAsync<long>(Sum, new { A = 2L, B = 3L }, write.Transaction));

            // Dapper refuses a statement whose parameter has no value; the prepared statement must too, not reuse B = 3.
            await Assert.ThrowsAnyAsync<Exception>(() => write.Connection.ExecuteScalarAsync<long>(Sum, new { A = 4L }, write.Transaction));
        }

        // A failed statement ends a PostgreSQL transaction: the next shape runs in a new write.
        await using (var write = await app.Db.WriteAsync())
        {
            Assert.Equal(4L, await write.Connection.ExecuteScalarAsync<long>(Sum, new { A = 4L, B = (long?)null }, write.Transaction));
        }
    }

    [Fact]
    public async Task Statements_on_the_sqlite_writer_are_prepared_once_and_reused_and_nowhere_else()
    {
        await using var app = await TestApp.StartAsync();
        await using var write = await app.Db.WriteAsync();
        var first = SqliteWriter.Prepared(write.Connection, Sum.Sqlite, new { A = 1L, B = 2L }, write.Transaction);
        var again = SqliteWriter.Prepared(write.Connection, Sum.Sqlite, new { A = 3L, B = 4L }, write.Transaction);
        await using var pooled = await app.Db.OpenAsync();

        if (app.Db.Provider == DbProvider.Sqlite)
        {
            Assert.NotNull(first);
            Assert.Same(first, again);
        }
        else
        {
            // Npgsql prepares repeated statements itself (Max Auto Prepare), so PostgreSQL writes take Dapper's path.
            Assert.Null(first);
        }

        Assert.Null(SqliteWriter.Prepared(pooled, Sum.Sqlite, new { A = 1L, B = 2L }, null));
    }

    private static readonly SqlScript Insert = new(
        "test/insert", "INSERT INTO schema_migrations (id, applied_at) VALUES ('test-' || @Id, 1);", "INSERT INTO schema_migrations (id, applied_at) VALUES ('test-' || @Id, 1);");

    private static readonly SqlScript Count = new(
        "test/count", "SELECT count(*) FROM schema_migrations WHERE id = 'test-' || @Id;", "SELECT count(*) FROM schema_migrations WHERE id = 'test-' || @Id;");
}

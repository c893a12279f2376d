using Dapper;
using Microsoft.Extensions.Logging;

namespace TicketFunctions.Data;

/// <summary>
/// Applies the provider's sql/migrations/&lt;provider&gt;/NNNN_name.sql in order, each in its own write transaction,
/// and records it in schema_migrations. Instances starting together take turns: on SQLite on the write lock, on
/// PostgreSQL on a session advisory lock held for the whole run; each skips what another already applied.
/// </summary>
public sealed partial class Migrator(Db db, TimeProvider clock, ILogger<Migrator> logger)
{
    // Any fixed number works as long as nothing else in the database uses it: "TicketFn" in ASCII.
    private const long AdvisoryLockKey = 0x5469636B6574466E;

    public IReadOnlyList<KeyValuePair<string, string>> Migrations => Sql.Migrations(db.Provider);

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (db.Provider == DbProvider.Sqlite)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(db.FilePath)!);
        }

        await using var connection = await db.OpenAsync(cancellationToken);
        if (db.Provider == DbProvider.Postgres)
        {
            // Blocks (without polling) until another instance's run is over; released at the end or when the session dies.
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@Key);", new { Key = AdvisoryLockKey }, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL);");
        }
        else
        {
            // WAL is a property of the file, set once; readers then never block the writer.
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");

            // SQLite's way to change a table that others reference: rebuild it with foreign key enforcement off (it
            // cannot change inside a transaction), and check the keys before committing (below). Back on at the end.
            await connection.ExecuteAsync("PRAGMA foreign_keys = OFF;");
            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT;");
        }

        try
        {
            foreach (var (id, script) in Migrations)
            {
                await using var transaction = await Db.BeginWriteAsync(connection, cancellationToken);
                var applied = await connection.ExecuteScalarAsync<long>(
                    "SELECT count(*) FROM schema_migrations WHERE id = @Id;", new { Id = id }, transaction);
                if (applied > 0)
                {
                    continue;
                }

                await connection.ExecuteAsync(script, transaction: transaction);
                if (db.Provider == DbProvider.Sqlite)
                {
                    // Enforcement is off while a migration rebuilds a table; every key must hold before it commits.
                    var broken = (await connection.QueryAsync("PRAGMA foreign_key_check;", transaction: transaction)).Count();
                    if (broken > 0)
                    {
                        throw new InvalidOperationException($"Migration {id} leaves {broken} rows whose foreign keys point at nothing; it is not applied.");
                    }
                }

                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (id, applied_at) VALUES (@Id, @Now);",
                    new { Id = id, Now = clock.GetUtcNow().ToUnixTimeMilliseconds() },
                    transaction);
                await transaction.CommitAsync(cancellationToken);
                LogApplied(id);
            }
        }
        finally
        {
            if (db.Provider == DbProvider.Postgres)
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@Key);", new { Key = AdvisoryLockKey });
            }
            else
            {
                await connection.ExecuteAsync("PRAGMA foreign_keys = ON;");
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Applied migration {Migration}")]
    private partial void LogApplied(string migration);
}

using Dapper;
using Microsoft.Extensions.Logging;

namespace TicketFunctions.Data;

/// <summary>
/// Applies sql/migrations/NNNN_name.sql in order, each in its own write transaction, and records it in
/// schema_migrations; instances starting together serialize on the write lock and skip what another applied.
/// </summary>
public sealed partial class Migrator(Db db, TimeProvider clock, ILogger<Migrator> logger)
{
    private const string Folder = "migrations/";

    public static IReadOnlyList<KeyValuePair<string, string>> Migrations { get; } =
        [.. Sql.All.Where(s => s.Key.StartsWith(Folder, StringComparison.Ordinal)).OrderBy(s => s.Key, StringComparer.Ordinal)];

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(db.FilePath)!);
        await using var connection = await db.OpenAsync(cancellationToken);

        // WAL is a property of the file, set once; readers then never block the writer.
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT;");

        foreach (var (name, script) in Migrations)
        {
            var id = name[Folder.Length..];
            await using var transaction = Db.BeginWrite(connection);
            var applied = await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM schema_migrations WHERE id = @Id;", new { Id = id }, transaction);
            if (applied > 0)
            {
                continue;
            }

            await connection.ExecuteAsync(script, transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (id, applied_at) VALUES (@Id, @Now);",
                new { Id = id, Now = clock.GetUtcNow().ToUnixTimeMilliseconds() },
                transaction);
            await transaction.CommitAsync(cancellationToken);
            LogApplied(id);
        }
    }

    [LoggerMessage(LogLevel.Information, "Applied migration {Migration}")]
    private partial void LogApplied(string migration);
}

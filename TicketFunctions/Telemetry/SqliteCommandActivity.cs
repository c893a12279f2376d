using System.Data;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using TicketFunctions.Data;

namespace TicketFunctions.Telemetry;

/// <summary>
/// A client span per SQLite statement, named after its <c>.sql</c> file: Microsoft.Data.Sqlite has no tracing of its
/// own (Npgsql's is <c>AddNpgsql</c>). Attributes follow OpenTelemetry's database conventions; the text is the file's,
/// with parameters only, so no value a user sent is recorded.
/// </summary>
public static class SqliteCommandActivity
{
    public static Activity? Start(IDbConnection connection, SqlScript sql)
    {
        if (connection is not SqliteConnection sqlite || !AppActivities.Source.HasListeners())
        {
            return null;
        }

        var activity = AppActivities.Source.StartActivity(sql.Name, ActivityKind.Client);
        activity?.SetTag("db.system.name", "sqlite");
        activity?.SetTag("db.namespace", Path.GetFileNameWithoutExtension(sqlite.DataSource));
        activity?.SetTag("db.query.summary", sql.Name);
        activity?.SetTag("db.query.text", sql.Sqlite);
        return activity;
    }
}

using System.Data.Common;
using Npgsql;

namespace TicketFunctions.Data;

/// <summary>
/// A transaction PostgreSQL rolled back to break a lock conflict: a deadlock (40P01) or, where a statement needs a
/// serializable view, a serialization failure (40001). Nothing it wrote is kept, so the work may run again from the
/// start; SQLite's one writer never ends a transaction this way.
/// </summary>
public static class LockConflict
{
    public static bool Is(DbException exception)
        => exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };
}

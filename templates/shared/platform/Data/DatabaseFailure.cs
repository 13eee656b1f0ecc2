using System.Data.Common;
using Microsoft.EntityFrameworkCore;
#if (usePostgres)
using Npgsql;
#else
using Microsoft.Data.Sqlite;
#endif
#if (useRedis)
using StackExchange.Redis;
#endif

namespace AuthApiTemplate.Data;

public enum DatabaseFailureKind
{
    None,
    /// <summary>The database cannot serve the request now (down, locked, busy, timed out).</summary>
    Unavailable,
    /// <summary>The request violates a constraint, or lost a race with another request: a client error, not an outage.</summary>
    Conflict,
#if (usePostgres)
    /// <summary>The request carries a value the database refuses to store (a NUL character in text): a client error.</summary>
    Invalid,
#endif
}

/// <summary>Sorts the exceptions a database provider throws into what the client should be told.</summary>
public static class DatabaseFailure
{
#if (usePostgres)
    // SQLSTATE class 23: integrity constraint violations (unique, foreign key, check, not null).
    private const string PostgresConstraintClass = "23";

    // SQLSTATE class 22: data exceptions, such as text with a NUL character (22021).
    private const string PostgresDataClass = "22";

    private const string PostgresUniqueViolation = "23505";
#else
    private const int SqliteConstraint = 19;

    // Extended result codes: SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY.
    private const int SqliteUniqueViolation = 2067;
    private const int SqlitePrimaryKeyViolation = 1555;
#endif

    /// <summary>
    /// True when the request lost a race with another one (a row changed or deleted since it was read, a
    /// key inserted first): expected under concurrency. Other constraint violations point at a bug.
    /// </summary>
    public static bool IsLostRace(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case DbUpdateConcurrencyException:
#if (usePostgres)
                case PostgresException { SqlState: PostgresUniqueViolation }:
#else
                case SqliteException { SqliteExtendedErrorCode: SqliteUniqueViolation or SqlitePrimaryKeyViolation }:
#endif
                    return true;
            }
        }

        return false;
    }

    public static DatabaseFailureKind Classify(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                // An update or delete found the row changed or gone since it was read: a concurrent request won.
                case DbUpdateConcurrencyException:
                    return DatabaseFailureKind.Conflict;
#if (usePostgres)
                case PostgresException postgres when postgres.SqlState.StartsWith(PostgresConstraintClass, StringComparison.Ordinal):
                    return DatabaseFailureKind.Conflict;
                case PostgresException postgres when postgres.SqlState.StartsWith(PostgresDataClass, StringComparison.Ordinal):
                    return DatabaseFailureKind.Invalid;
#else
                case SqliteException { SqliteErrorCode: SqliteConstraint }:
                    return DatabaseFailureKind.Conflict;
#endif
#if (useRedis)
                // The shared cache holds the token denylist: without it, authentication fails closed too.
                case RedisException:
#endif
                case DbException:
                case TimeoutException:
                    return DatabaseFailureKind.Unavailable;
            }
        }

        return DatabaseFailureKind.None;
    }
}

using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace AuthApiTemplate.Data;

public enum DatabaseFailureKind
{
    None,
    /// <summary>The database cannot serve the request now (down, locked, busy, timed out).</summary>
    Unavailable,
    /// <summary>The request violates a constraint: a client error, not an outage.</summary>
    Conflict,
}

/// <summary>Sorts the exceptions a database provider throws into what the client should be told.</summary>
public static class DatabaseFailure
{
    private const int SqliteConstraint = 19;

    public static DatabaseFailureKind Classify(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case SqliteException { SqliteErrorCode: SqliteConstraint }:
                    return DatabaseFailureKind.Conflict;
                case DbException:
                case TimeoutException:
                    return DatabaseFailureKind.Unavailable;
            }
        }

        return DatabaseFailureKind.None;
    }
}

using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AuthApiTemplate.Data;

/// <summary>
/// Puts every SQLite connection in WAL mode (readers never block the writer) with a busy timeout,
/// so concurrent writers wait for the lock instead of failing with "database is locked".
/// </summary>
internal sealed class SqliteConnectionInterceptor(TimeSpan busyTimeout) : DbConnectionInterceptor
{
    private readonly string _pragmas =
        $"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {(int)busyTimeout.TotalMilliseconds};";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AuthApiTemplate.Data;

/// <summary>
/// Puts every SQLite connection in WAL mode (readers never block the writer) with a busy timeout,
/// so concurrent writers wait for the lock instead of failing with "database is locked".
/// The settings belong to the physical connection, which Microsoft.Data.Sqlite pools and reuses, so
/// they are applied once per physical connection rather than on every open.
/// </summary>
internal sealed class SqliteConnectionInterceptor(TimeSpan busyTimeout) : DbConnectionInterceptor
{
    private static readonly object Applied = new();

    private readonly ConditionalWeakTable<object, object> _configured = new();

    private readonly string _pragmas =
        $"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {(int)busyTimeout.TotalMilliseconds};";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsSettings(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsSettings(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private bool NeedsSettings(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || _configured.TryAdd(handle, Applied);
}

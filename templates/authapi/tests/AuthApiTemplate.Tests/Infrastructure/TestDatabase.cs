using System.Data.Common;
#if (usePostgres)
using Npgsql;
#else
using Microsoft.Data.Sqlite;
#endif

namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>
/// An empty database of the caller's own, deleted on dispose, so test classes never see each
/// other's rows.
#if (usePostgres)
/// It is a new database on the PostgreSQL server named by AUTHAPI_TEST_POSTGRES (a role that may
/// create databases); without that variable the tests fail rather than skip.
#else
/// It is a SQLite file in a temporary folder.
#endif
/// </summary>
public sealed class TestDatabase : IDisposable
{
    private int _disposed;

#if (usePostgres)
    public const string ServerVariable = "AUTHAPI_TEST_POSTGRES";

    private readonly string _server;
    private readonly string _name = "authapi_test_" + Guid.NewGuid().ToString("N");

    public TestDatabase()
    {
        _server = TestServices.Require(ServerVariable, "Host=127.0.0.1;Username=authapi;Password=authapi;Database=postgres");
        var server = new NpgsqlConnectionStringBuilder(_server);
        TestServices.RequireReachable("PostgreSQL", server.Host ?? "localhost", server.Port, ServerVariable);
        Execute($"CREATE DATABASE \"{_name}\"");
        ConnectionString = new NpgsqlConnectionStringBuilder(_server) { Database = _name }.ConnectionString;
    }
#else
    private readonly string _folder;

    // With a test sink the file stays behind for the after-suite secret scan.
    private readonly bool _keepFolder;

    public TestDatabase()
    {
        (_folder, _keepFolder) = TestSink.NewDatabaseFolder();
        FilePath = Path.Combine(_folder, "app.db");
        ConnectionString = $"Data Source={FilePath}";
    }

    /// <summary>The SQLite file.</summary>
    public string FilePath { get; }
#endif

    public string ConnectionString { get; }

    public async Task<DbConnection> OpenAsync()
    {
#if (usePostgres)
        var connection = new NpgsqlConnection(ConnectionString);
#else
        var connection = new SqliteConnection(ConnectionString);
#endif
        await connection.OpenAsync();
        return connection;
    }

    public async Task<bool> TableExistsAsync(string table)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
#if (usePostgres)
        command.CommandText = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = @table";
#else
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @table";
#endif
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@table";
        parameter.Value = table;
        command.Parameters.Add(parameter);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    /// <summary>What a secret scan looks through: the SQLite file itself (free pages included), or every stored row as text.</summary>
    public async Task<byte[]> RawContentAsync() =>
#if (usePostgres)
        System.Text.Encoding.Latin1.GetBytes(await DumpAsync());
#else
        await File.ReadAllBytesAsync(FilePath);
#endif

    /// <summary>
    /// Every value of every row of every table (or of <paramref name="onlyTables"/>), as text (bytes as
    /// Latin-1), for "this secret is never stored" checks.
    /// </summary>
    public async Task<string> DumpAsync(IReadOnlyCollection<string>? onlyTables = null)
    {
        await using var connection = await OpenAsync();
        var tables = new List<string>(onlyTables ?? []);
        if (onlyTables is null)
        {
            await using var list = connection.CreateCommand();
#if (usePostgres)
            list.CommandText = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'";
#else
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
#endif
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var dump = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    dump.Append(value switch
                    {
                        byte[] bytes => System.Text.Encoding.Latin1.GetString(bytes),
                        string[] values => string.Join(',', values),
                        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
                    }).Append('|');
                }

                dump.AppendLine();
            }
        }

        return dump.ToString();
    }

    public void Dispose()
    {
        // WebApplicationFactory disposes through both Dispose and DisposeAsync: the database goes once.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

#if (usePostgres)
        if (TestSink.Folder is { } sink)
        {
            // The rows go to the sink as text before the database goes, for the after-suite secret scan.
            var folder = Path.Combine(sink, "databases", _name);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "dump.txt"), DumpAsync().GetAwaiter().GetResult());
        }

        // The connections the app under test may still hold in its pool end first. Not WITH (FORCE): that also
        // signals an autovacuum worker busy in the database, which belongs to no role a test user may signal,
        // and fails the drop; a plain DROP DATABASE stops autovacuum itself and waits for ending backends.
        NpgsqlConnection.ClearAllPools();
        Execute($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{_name}' AND usename = current_user AND pid <> pg_backend_pid()");
        Execute($"DROP DATABASE IF EXISTS \"{_name}\"");
#else
        SqliteConnection.ClearAllPools();
        if (_keepFolder)
        {
            return;
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open only leaves a temp folder behind.
        }
#endif
    }
#if (usePostgres)

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(_server);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
#endif
}

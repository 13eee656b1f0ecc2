using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace AuthApiTemplate.Tests;

/// <summary>The operator commands, run the way an operator runs them: the app's own dll in a new process.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("authapi-cli-");

    [Fact]
    public async Task Migrate_creates_the_schema_on_a_fresh_database_in_production()
    {
        var database = Path.Combine(_folder.FullName, "fresh.db");

        var (exitCode, output, errors) = await AppProcess.RunAsync(database, "Production", "migrate");

        Assert.True(exitCode == 0, errors);
        Assert.Equal("Database is up to date.", output.TrimEnd().Split('\n')[^1]);
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'Items'";
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task An_unknown_command_fails_with_a_message_and_a_non_zero_exit_code()
    {
        var (exitCode, output, errors) = await AppProcess.RunAsync(Path.Combine(_folder.FullName, "unused.db"), "Production", "frobnicate");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("frobnicate", output + errors, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}

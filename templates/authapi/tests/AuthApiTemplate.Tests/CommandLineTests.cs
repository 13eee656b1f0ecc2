using System.Diagnostics;
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

        var (exitCode, output, errors) = await RunAppAsync(database, "migrate");

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
        var (exitCode, output, errors) = await RunAppAsync(Path.Combine(_folder.FullName, "unused.db"), "frobnicate");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("frobnicate", output + errors, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAppAsync(string database, params string[] args)
    {
        var appDll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
        };
        start.ArgumentList.Add(appDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Default"] = $"Data Source={database}";

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}

using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests;

/// <summary>The operator commands, run the way an operator runs them: the app's own dll in a new process.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TestDatabase _database = new();

    [Fact]
    public async Task Migrate_creates_the_schema_on_a_fresh_database_in_production()
    {
        var database = _database.ConnectionString;

        var (exitCode, output, errors) = await AppProcess.RunAsync(database, "Production", "migrate");

        Assert.True(exitCode == 0, errors);
        Assert.Equal("Database is up to date.", output.TrimEnd().Split('\n')[^1]);
        Assert.True(await _database.TableExistsAsync("Items"));
    }

    [Fact]
    public async Task An_unknown_command_fails_with_a_message_and_a_non_zero_exit_code()
    {
        var (exitCode, output, errors) = await AppProcess.RunAsync(_database.ConnectionString, "Production", "frobnicate");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("frobnicate", output + errors, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _database.Dispose();
    }
}

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

#if (apikeys || signsInUsers)
    [Fact]
    public async Task A_command_run_before_migrate_in_production_says_in_one_line_to_run_migrate()
    {
#if (apikeys)
        string[] command = ["apikeys", "create", "--name", "ci", "--scopes", "items:read"];
#else
        string[] command = ["users", "create", "ops@example.com"];
#endif

        var (exitCode, output, errors) = await AppProcess.RunAsync(_database.ConnectionString, "Production", command);

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", output);
        Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);
        var line = Assert.Single(errors.Split('\n'), line => line.StartsWith("The database is not up to date", StringComparison.Ordinal)).TrimEnd('\r');
        Assert.EndsWith("migrate' first.", line, StringComparison.Ordinal);
    }
#endif
#if (apikeys)

    [Fact]
    public async Task An_invalid_setting_stops_a_command_with_one_line_naming_the_setting_and_its_range()
    {
        Assert.Equal(0, (await AppProcess.RunAsync(_database.ConnectionString, "Production", "migrate")).ExitCode);

        var (exitCode, output, errors) = await AppProcess.RunAsync(
            _database.ConnectionString, "Production", new Dictionary<string, string> { ["ApiKeys:DefaultPermitsPerMinute"] = "0" }, "apikeys", "list");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("", output);
        Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);
        // Standard error also carries the app's own log lines (a cache library's start-up, say), in any order.
        Assert.Contains("Invalid setting: ApiKeys:DefaultPermitsPerMinute must be between 1 and 1000000.", errors.Split('\n').Select(line => line.TrimEnd('\r')));
    }
#endif

    public void Dispose()
    {
        _database.Dispose();
    }
}

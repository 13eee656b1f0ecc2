using System.Text.Json;
using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests.Jwt;

/// <summary>`users` and `tokens` commands on a fresh database, as an operator runs them in Development.</summary>
public sealed class UsersCommandTests : IDisposable
{
    private readonly TestDatabase _database = new();

    [Fact]
    public async Task Users_can_be_created_promoted_and_signed_in_from_the_command_line()
    {
        var database = _database.ConnectionString;

        var created = await AppProcess.RunAsync(database, "Development", "users", "create", "Ada@Example.com", "--roles", "editor");
        Assert.True(created.ExitCode == 0, created.Errors);
        var id = AppProcess.LastLine(created.Output);
        Assert.True(Guid.TryParse(id, out _), $"last line is not an id: {created.Output}");

        var duplicate = await AppProcess.RunAsync(database, "Development", "users", "create", "ada@example.com");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Errors, StringComparison.Ordinal);

        var promoted = await AppProcess.RunAsync(database, "Development", "users", "promote", "ada@example.com", "admin");
        Assert.True(promoted.ExitCode == 0, promoted.Errors);

        var tokens = await AppProcess.RunAsync(database, "Development", "tokens", "create", "ada@example.com");
        Assert.True(tokens.ExitCode == 0, tokens.Errors);
        using var pair = JsonDocument.Parse(AppProcess.LastLine(tokens.Output));
        var claims = JwtTestKit.DecodePart(pair.RootElement.GetProperty("accessToken").GetString()!, 1);
        Assert.Equal(id, claims.GetProperty("sub").GetString());
        Assert.Equal(["editor", "admin"], claims.GetProperty("role").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Bad_input_is_a_clear_error_and_a_non_zero_exit_code()
    {
        var database = _database.ConnectionString;
        var invalid = await AppProcess.RunAsync(database, "Development", "users", "create", "not-an-email");
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("not a valid email", invalid.Errors, StringComparison.Ordinal);

        var unknown = await AppProcess.RunAsync(database, "Development", "users", "promote", "nobody@example.com", "admin");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No user", unknown.Errors, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _database.Dispose();
    }
}

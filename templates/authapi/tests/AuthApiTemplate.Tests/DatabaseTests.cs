using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace AuthApiTemplate.Tests;

public sealed class DatabaseTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_database_is_a_sqlite_file_in_wal_mode_created_by_migrations()
    {
        (await factory.CreateApiClient().GetAsync("/health/ready")).EnsureSuccessStatusCode();

        await using var connection = new SqliteConnection(factory.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode"));
        Assert.Equal("1", await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'Items'"));
        Assert.NotEqual("0", await ScalarAsync(connection, "SELECT count(*) FROM \"__EFMigrationsHistory\""));
    }

    [Fact]
    public async Task Fifty_concurrent_writers_all_succeed_without_database_is_locked()
    {
        var client = factory.CreateApiClient();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            client.PostAsJsonAsync("/items", new { name = $"concurrent-{i}" })));

        var failures = responses.Where(r => r.StatusCode != HttpStatusCode.Created).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", await Task.WhenAll(failures.Select(f => f.Content.ReadAsStringAsync()))));
    }

    private static async Task<string?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

using AuthApiTemplate.Data;
using AuthApiTemplate.Infrastructure.ErrorHandling;
using AuthApiTemplate.Items;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
#if (!usePostgres)
using Microsoft.Data.Sqlite;
#endif

namespace AuthApiTemplate.Tests;

public sealed class DatabaseTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public void Every_contexts_migrations_describe_its_current_model()
    {
        var contexts = typeof(Program).Assembly.GetTypes().Where(type => type.IsSubclassOf(typeof(DbContext)) && !type.IsAbstract).ToList();
        Assert.NotEmpty(contexts);

        using var scope = factory.Services.CreateScope();
        foreach (var type in contexts)
        {
            var context = (DbContext)scope.ServiceProvider.GetRequiredService(type);
            // A model change without its migration would reach a database only as a failing query.
            Assert.False(context.Database.HasPendingModelChanges(), $"{type.Name} has model changes that no migration describes.");
        }
    }

    [Fact]
    public async Task Saving_a_change_to_a_row_another_request_deleted_is_a_conflict_not_a_500()
    {
        await using var first = factory.Services.CreateAsyncScope();
        var db = first.ServiceProvider.GetRequiredService<AppDbContext>();
        var item = await SavedItemAsync(db, "raced");

        await using (var second = factory.Services.CreateAsyncScope())
        {
            await second.ServiceProvider.GetRequiredService<AppDbContext>().Items.Where(i => i.Id == item.Id).ExecuteDeleteAsync();
        }

        item.Name = "renamed";
        var lost = await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync());
        Assert.Equal(DatabaseFailureKind.Conflict, DatabaseFailure.Classify(lost));
    }

    [Fact]
    public async Task A_lost_race_is_logged_as_information_another_refusal_as_a_warning_and_an_outage_as_an_error()
    {
        var handler = ActivatorUtilities.CreateInstance<DatabaseExceptionHandler>(factory.Services);
        var marker = Guid.NewGuid().ToString("N");

        foreach (var (exception, status, level) in new (Exception, int, string)[]
        {
            (new DbUpdateConcurrencyException($"conflict {marker}"), StatusCodes.Status409Conflict, "Information"),
#if (usePostgres)
            (new DbUpdateException($"duplicate {marker}", new Npgsql.PostgresException("duplicate key", "ERROR", "ERROR", "23505")), StatusCodes.Status409Conflict, "Information"),
            (new DbUpdateException($"foreign key {marker}", new Npgsql.PostgresException("foreign key", "ERROR", "ERROR", "23503")), StatusCodes.Status409Conflict, "Warning"),
#else
            (new DbUpdateException($"duplicate {marker}", new SqliteException("UNIQUE constraint failed", 19, 2067)), StatusCodes.Status409Conflict, "Information"),
            (new DbUpdateException($"foreign key {marker}", new SqliteException("FOREIGN KEY constraint failed", 19, 787)), StatusCodes.Status409Conflict, "Warning"),
#endif
            (new TimeoutException($"outage {marker}"), StatusCodes.Status503ServiceUnavailable, "Error"),
        })
        {
            var context = new DefaultHttpContext { RequestServices = factory.Services };
            context.Response.Body = new MemoryStream();
            Assert.True(await handler.TryHandleAsync(context, exception, CancellationToken.None));
            Assert.Equal(status, context.Response.StatusCode);
            var logged = Assert.Single(factory.Logs.Lines, line => line.Contains(exception.Message, StringComparison.Ordinal));
            Assert.StartsWith($"{level} ", logged, StringComparison.Ordinal);
        }
    }

    private static async Task<Item> SavedItemAsync(AppDbContext db, string name)
    {
        var item = new Item { Id = Guid.NewGuid(), Name = name, CreatedAt = DateTimeOffset.UtcNow };
        db.Items.Add(item);
        await db.SaveChangesAsync();
        return item;
    }

#if (usePostgres)
    [Fact]
    public async Task The_database_is_postgresql_with_a_migrations_history_per_context()
    {
        (await factory.CreateApiClient().GetAsync("/health/ready")).EnsureSuccessStatusCode();

        await using var connection = await factory.Database.OpenAsync();
        Assert.StartsWith("PostgreSQL", await ScalarAsync(connection, "SELECT version()"), StringComparison.Ordinal);
        Assert.True(await factory.Database.TableExistsAsync("Items"));
        Assert.NotEqual("0", await ScalarAsync(connection, "SELECT count(*) FROM \"__EFMigrationsHistory\""));
    }

    [Fact]
    public async Task A_unique_violation_is_a_409_problem_and_an_unreachable_server_a_503()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var item = await SavedItemAsync(db, "twice");
        db.ChangeTracker.Clear();
        db.Items.Add(new Item { Id = item.Id, Name = "again", CreatedAt = DateTimeOffset.UtcNow });
        var duplicate = await Assert.ThrowsAsync<Microsoft.EntityFrameworkCore.DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Equal(DatabaseFailureKind.Conflict, DatabaseFailure.Classify(duplicate));

        await using var unreachable = new Npgsql.NpgsqlConnection("Host=127.0.0.1;Port=1;Username=x;Password=x;Timeout=2");
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => unreachable.OpenAsync());
        Assert.Equal(DatabaseFailureKind.Unavailable, DatabaseFailure.Classify(refused));
    }
#else
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

#endif

    [Fact]
    public async Task Fifty_concurrent_writers_all_succeed_without_database_is_locked()
    {
        var client = factory.CreateApiClient();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            client.PostAsJsonAsync("/items", new { name = $"concurrent-{i}" })));

        var failures = responses.Where(r => r.StatusCode != HttpStatusCode.Created).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", await Task.WhenAll(failures.Select(f => f.Content.ReadAsStringAsync()))));
    }

    private static async Task<string?> ScalarAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

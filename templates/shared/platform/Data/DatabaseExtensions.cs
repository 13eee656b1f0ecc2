using AuthApiTemplate.Infrastructure.ErrorHandling;
using AuthApiTemplate.Infrastructure.Health;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Data;

/// <summary>
/// The app's one database, shared by its own DbContext and each plugin's. Every context gets its
/// own migrations history table, a readiness check and its place in <see cref="DatabaseMigrator"/>.
/// </summary>
public static class DatabaseExtensions
{
    public const string ConnectionStringName = "Default";

    public static IHostApplicationBuilder AddDatabaseContext<TContext>(this IHostApplicationBuilder builder, string migrationsHistoryTable)
        where TContext : DbContext
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>());
        // A database that is down or locked fails the request closed with 503, whichever context hit it.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, DatabaseExceptionHandler>());

        var connectionString = ResolveSqliteConnectionString(builder);
        builder.Services.AddDbContextPool<TContext>((services, options) =>
        {
            var busyTimeout = services.GetRequiredService<IOptions<DatabaseOptions>>().Value.BusyTimeout;
            options.UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable(migrationsHistoryTable))
                .AddInterceptors(new SqliteConnectionInterceptor(busyTimeout));
        });

        builder.Services.AddHealthChecks().AddDbContextCheck<TContext>(
            name: $"database:{typeof(TContext).Name}",
            tags: [HealthTags.Ready]);
        builder.Services.AddSingleton<IDatabaseMigration, DbContextMigration<TContext>>();
        return builder;
    }

    public static async Task MigrateDatabasesIfConfiguredAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStartup)
        {
            await DatabaseMigrator.MigrateAsync(app.Services, app.Lifetime.ApplicationStopping);
        }
    }

    /// <summary>
    /// A relative SQLite path is taken from the content root, not from whatever folder the app was
    /// started in, so `dotnet run`, `dotnet App.dll` and the tests all find the same file.
    /// </summary>
    private static string ResolveSqliteConnectionString(IHostApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set. Set it in appsettings.json or the environment variable ConnectionStrings__{ConnectionStringName}.");
        }

        SqliteConnectionStringBuilder connection;
        try
        {
            connection = new SqliteConnectionStringBuilder(configured);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not a valid SQLite connection string: {exception.Message}", exception);
        }

        var dataSource = connection.DataSource;
        if (dataSource.Length > 0 && dataSource != ":memory:" && connection.Mode != SqliteOpenMode.Memory && !Path.IsPathRooted(dataSource))
        {
            connection.DataSource = Path.Combine(builder.Environment.ContentRootPath, dataSource);
        }

        if (connection.Mode is SqliteOpenMode.ReadWriteCreate && Path.GetDirectoryName(connection.DataSource) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        return connection.ToString();
    }
}

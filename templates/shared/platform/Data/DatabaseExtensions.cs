using AuthApiTemplate.Infrastructure.ErrorHandling;
using AuthApiTemplate.Infrastructure.Health;
using Microsoft.AspNetCore.Diagnostics;
#if (usePostgres)
using Npgsql;
#else
using Microsoft.Data.Sqlite;
#endif
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

#if (usePostgres)
        AddPostgresDataSource(builder);
        builder.Services.AddDbContextPool<TContext>((services, options) =>
            options.UseNpgsql(services.GetRequiredService<NpgsqlDataSource>(), npgsql => npgsql.MigrationsHistoryTable(migrationsHistoryTable)));
#else
        var connectionString = ResolveSqliteConnectionString(builder);
        builder.Services.AddDbContextPool<TContext>((services, options) =>
        {
            var busyTimeout = services.GetRequiredService<IOptions<DatabaseOptions>>().Value.BusyTimeout;
            // Microsoft.Data.Sqlite retries a locked database for the command timeout (30 s by default)
            // on top of SQLite's own busy timeout: without this a writer blocked by a held lock would
            // keep its client waiting half a minute before the 503.
            options.UseSqlite(connectionString, sqlite => sqlite
                    .MigrationsHistoryTable(migrationsHistoryTable)
                    .CommandTimeout(Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds))))
                .AddInterceptors(new SqliteConnectionInterceptor(busyTimeout));
        });
#endif

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

#if (usePostgres)
    /// <summary>
    /// One Npgsql data source (one connection pool) for every context, and one readiness check of the
    /// server itself beside each context's own. Safe to call once per context.
    /// </summary>
    private static void AddPostgresDataSource(IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(s => s.ServiceType == typeof(NpgsqlDataSource)))
        {
            return;
        }

        var configured = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set. Set it in appsettings.json or the environment variable ConnectionStrings__{ConnectionStringName}.");
        }

        NpgsqlConnectionStringBuilder connection;
        try
        {
            connection = new NpgsqlConnectionStringBuilder(configured);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not a valid PostgreSQL connection string: {exception.Message}", exception);
        }

        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connection.ConnectionString).Build());
        builder.Services.AddHealthChecks().AddNpgSql(
            services => services.GetRequiredService<NpgsqlDataSource>(),
            name: "postgresql",
            tags: [HealthTags.Ready]);
    }
#else
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
#endif
}

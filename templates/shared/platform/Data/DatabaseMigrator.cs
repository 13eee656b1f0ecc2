using Microsoft.EntityFrameworkCore;

namespace AuthApiTemplate.Data;

/// <summary>One DbContext whose migrations the app applies (the app's own and each plugin's).</summary>
public interface IDatabaseMigration
{
    string Name { get; }

    Task MigrateAsync(IServiceProvider scopedServices, CancellationToken cancellationToken);

    Task<IEnumerable<string>> PendingAsync(IServiceProvider scopedServices, CancellationToken cancellationToken);
}

internal sealed class DbContextMigration<TContext> : IDatabaseMigration where TContext : DbContext
{
    public string Name => typeof(TContext).Name;

    public Task MigrateAsync(IServiceProvider scopedServices, CancellationToken cancellationToken) =>
        scopedServices.GetRequiredService<TContext>().Database.MigrateAsync(cancellationToken);

    public Task<IEnumerable<string>> PendingAsync(IServiceProvider scopedServices, CancellationToken cancellationToken) =>
        scopedServices.GetRequiredService<TContext>().Database.GetPendingMigrationsAsync(cancellationToken);
}

public static partial class DatabaseMigrator
{
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrator));
        await using var scope = services.CreateAsyncScope();
        foreach (var migration in scope.ServiceProvider.GetServices<IDatabaseMigration>())
        {
            LogMigrating(logger, migration.Name);
            await migration.MigrateAsync(scope.ServiceProvider, cancellationToken);
        }
    }

    /// <summary>The DbContexts (the app's and each plugin's) that have migrations not yet applied.</summary>
    public static async Task<List<string>> PendingAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var pending = new List<string>();
        foreach (var migration in scope.ServiceProvider.GetServices<IDatabaseMigration>())
        {
            if ((await migration.PendingAsync(scope.ServiceProvider, cancellationToken)).Any())
            {
                pending.Add(migration.Name);
            }
        }

        return pending;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying pending migrations of {Context}")]
    private static partial void LogMigrating(ILogger logger, string context);
}

using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.ApiKeys;

/// <summary>
/// Remembers when each key was last used and writes those times in one batch every
/// <c>ApiKeys:LastUsedFlushInterval</c>: an authenticated request never waits for a database write.
/// </summary>
public sealed partial class ApiKeyUsageRecorder(
    IServiceScopeFactory scopes,
    IOptions<ApiKeyOptions> options,
    TimeProvider time,
    ILogger<ApiKeyUsageRecorder> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _pending = new();

    public void Record(Guid keyId, DateTimeOffset usedAt) =>
        _pending.AddOrUpdate(keyId, static (_, at) => at, static (_, previous, at) => at > previous ? at : previous, usedAt);

    /// <summary>Writes what has been recorded so far.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        var batch = new List<(Guid Id, DateTimeOffset UsedAt)>();
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var usedAt))
            {
                batch.Add((id, usedAt));
            }
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ApiKeysDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var (id, usedAt) in batch)
            {
                await db.ApiKeys.Where(k => k.Id == id)
                    .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, usedAt), cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Keep the times for the next flush rather than lose them while the database is away.
            foreach (var (id, usedAt) in batch)
            {
                Record(id, usedAt);
            }

            LogFlushFailed(logger, batch.Count, exception);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LastUsedFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await FlushAsync(CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the last use of {Count} API keys; will retry")]
    private static partial void LogFlushFailed(ILogger logger, int count, Exception exception);
}

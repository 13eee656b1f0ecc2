using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Usage;

public sealed record UsageCleanupResult(long RawRowsDeleted, long MinuteRollupsDownsampled, long RollupsDeleted);

/// <summary>
/// Keeps the store small: minute rollups older than a day are folded into hourly rows, raw rows older than
/// <see cref="UsageOptions.RetentionDays"/> and hourly rows older than <see cref="UsageOptions.RollupRetentionDays"/>
/// are deleted, everything in bounded batches so no statement holds SQLite's write lock for long.
/// </summary>
public sealed class UsageMaintenance(
    IServiceScopeFactory scopes,
    IOptions<UsageOptions> options,
    TimeProvider time) : IDisposable
{
    public const int DeleteBatchSize = 5_000;
    public static readonly TimeSpan MinuteResolutionKeptFor = TimeSpan.FromHours(24);

    private readonly SemaphoreSlim _running = new(1, 1);

    public void Dispose() => _running.Dispose();

    public async Task<UsageCleanupResult> RunAsync(CancellationToken cancellationToken)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var downsampled = await DownsampleAsync(now - MinuteResolutionKeptFor, cancellationToken);
            var rawDeleted = await DeleteRawRowsAsync(now.AddDays(-options.Value.RetentionDays), cancellationToken);
            var rollupsDeleted = await DeleteRollupsAsync(now.AddDays(-options.Value.RollupRetentionDays), cancellationToken);
            return new UsageCleanupResult(rawDeleted, downsampled, rollupsDeleted);
        }
        finally
        {
            _running.Release();
        }
    }

    /// <summary>Folds the minute rows of every full hour before <paramref name="before"/> into hourly rows, one hour per transaction.</summary>
    private async Task<long> DownsampleAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var cutoff = before.ToUnixTimeSeconds() / UsageLimits.Hour * UsageLimits.Hour;
        long folded = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<UsageDbContext>();
            var oldest = await OldestMinuteAsync(db, cutoff, cancellationToken);
            if (oldest is not { } first)
            {
                return folded;
            }

            var hour = first / UsageLimits.Hour * UsageLimits.Hour;
            var end = hour + UsageLimits.Hour;
            await using var transaction = await UsageRollupMerger.BeginExclusiveAsync(db, cancellationToken);

            var totals = await db.Totals.Where(r => r.BucketSeconds == UsageLimits.Minute && r.PeriodStart >= hour && r.PeriodStart < end).ToListAsync(cancellationToken);
            if (totals.Count > 0)
            {
                var histogram = new LatencyHistogram();
                totals.ForEach(r => histogram.AddEncoded(r.Histogram));
                await UsageRollupMerger.MergeTotalAsync(db, UsageLimits.Hour, hour, new UsageTotalRollup
                {
                    Requests = totals.Sum(r => r.Requests),
                    ClientErrors = totals.Sum(r => r.ClientErrors),
                    ServerErrors = totals.Sum(r => r.ServerErrors),
                    DurationMsSum = totals.Sum(r => r.DurationMsSum),
                    Histogram = histogram.Encode(),
                }, cancellationToken);
                db.Totals.RemoveRange(totals);
            }

            var endpoints = await db.Endpoints.Where(r => r.BucketSeconds == UsageLimits.Minute && r.PeriodStart >= hour && r.PeriodStart < end).ToListAsync(cancellationToken);
            var endpointHours = endpoints.GroupBy(r => (r.Method, r.Route)).Select(g =>
            {
                var histogram = new LatencyHistogram();
                foreach (var r in g)
                {
                    histogram.AddEncoded(r.Histogram);
                }

                return new UsageEndpointRollup
                {
                    Method = g.Key.Method,
                    Route = g.Key.Route,
                    Requests = g.Sum(r => r.Requests),
                    ClientErrors = g.Sum(r => r.ClientErrors),
                    ServerErrors = g.Sum(r => r.ServerErrors),
                    DurationMsSum = g.Sum(r => r.DurationMsSum),
                    RequestBytes = g.Sum(r => r.RequestBytes),
                    ResponseBytes = g.Sum(r => r.ResponseBytes),
                    Histogram = histogram.Encode(),
                };
            }).ToList();
            db.Endpoints.RemoveRange(endpoints);
            await UsageRollupMerger.MergeEndpointsAsync(db, UsageLimits.Hour, hour, endpointHours, cancellationToken);

            var consumers = await db.Consumers.Where(r => r.BucketSeconds == UsageLimits.Minute && r.PeriodStart >= hour && r.PeriodStart < end).ToListAsync(cancellationToken);
            var consumerHours = consumers.GroupBy(r => (r.Method, r.Route, r.StatusCode, r.Consumer)).Select(g => new UsageConsumerRollup
            {
                Method = g.Key.Method,
                Route = g.Key.Route,
                StatusCode = g.Key.StatusCode,
                Consumer = g.Key.Consumer,
                Requests = g.Sum(r => r.Requests),
                DurationMsSum = g.Sum(r => r.DurationMsSum),
            }).ToList();
            db.Consumers.RemoveRange(consumers);
            await UsageRollupMerger.MergeConsumersAsync(db, UsageLimits.Hour, hour, consumerHours, cancellationToken);

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            folded += totals.Count + endpoints.Count + consumers.Count;
        }
    }

    private static async Task<long?> OldestMinuteAsync(UsageDbContext db, long cutoff, CancellationToken cancellationToken)
    {
        var totals = await db.Totals.Where(r => r.BucketSeconds == UsageLimits.Minute && r.PeriodStart < cutoff).MinAsync(r => (long?)r.PeriodStart, cancellationToken);
        var endpoints = await db.Endpoints.Where(r => r.BucketSeconds == UsageLimits.Minute && r.PeriodStart < cutoff).MinAsync(r => (long?)r.PeriodStart, cancellationToken);
        var consumers = await db.Consumers.Where(r => r.BucketSeconds == UsageLimits.Minute && r.PeriodStart < cutoff).MinAsync(r => (long?)r.PeriodStart, cancellationToken);
        return new[] { totals, endpoints, consumers }.Min();
    }

    private async Task<long> DeleteRawRowsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var cutoff = before.ToUnixTimeMilliseconds();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UsageDbContext>();
        return await DeleteInBatchesAsync(db.Requests.Where(r => r.Timestamp < cutoff).OrderBy(r => r.Id), cancellationToken);
    }

    private async Task<long> DeleteRollupsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var cutoff = before.ToUnixTimeSeconds();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UsageDbContext>();
        long deleted = 0;
        deleted += await DeleteInBatchesAsync(db.Totals.Where(r => r.PeriodStart < cutoff), cancellationToken);
        deleted += await DeleteInBatchesAsync(db.Endpoints.Where(r => r.PeriodStart < cutoff), cancellationToken);
        deleted += await DeleteInBatchesAsync(db.Consumers.Where(r => r.PeriodStart < cutoff), cancellationToken);
        return deleted;
    }

    private static async Task<long> DeleteInBatchesAsync<T>(IQueryable<T> rows, CancellationToken cancellationToken)
    {
        long deleted = 0;
        while (true)
        {
            var batch = await rows.Take(DeleteBatchSize).ExecuteDeleteAsync(cancellationToken);
            deleted += batch;
            if (batch < DeleteBatchSize)
            {
                return deleted;
            }
        }
    }
}

/// <summary>Runs <see cref="UsageMaintenance"/> shortly after start and then every hour.</summary>
internal sealed partial class UsageMaintenanceService(
    UsageMaintenance maintenance,
    TimeProvider time,
    ILogger<UsageMaintenanceService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private static readonly TimeSpan StartDelay = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(StartDelay, time, stoppingToken);
            using var timer = new PeriodicTimer(Interval, time);
            do
            {
                try
                {
                    var result = await maintenance.RunAsync(stoppingToken);
                    LogCleanup(logger, result.RawRowsDeleted, result.MinuteRollupsDownsampled, result.RollupsDeleted);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogCleanupFailed(logger, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage cleanup: {RawRows} raw rows deleted, {MinuteRollups} minute rollups folded into hours, {Rollups} expired rollups deleted")]
    private static partial void LogCleanup(ILogger logger, long rawRows, long minuteRollups, long rollups);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage cleanup failed; it runs again within the hour")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception);
}

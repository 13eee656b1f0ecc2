using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace AuthApiTemplate.Usage;

/// <summary>Where the background writer puts what the tracker measured. Only the writer and the maintenance job call it.</summary>
public interface IUsageStore
{
    /// <summary>Adds sealed minute windows to the minute rollups (merging into rows that already exist).</summary>
    Task WriteWindowsAsync(IReadOnlyList<UsageWindow> windows, CancellationToken cancellationToken);

    Task WriteRequestsAsync(IReadOnlyList<UsageSample> samples, CancellationToken cancellationToken);
}

internal sealed class EfUsageStore(IServiceScopeFactory scopes) : IUsageStore
{
    private static readonly string[] RawInsertProperties =
    [
        nameof(UsageRequest.Timestamp), nameof(UsageRequest.Method), nameof(UsageRequest.Route), nameof(UsageRequest.StatusCode),
        nameof(UsageRequest.DurationMs), nameof(UsageRequest.Consumer), nameof(UsageRequest.RequestBytes), nameof(UsageRequest.ResponseBytes),
    ];

    public async Task WriteWindowsAsync(IReadOnlyList<UsageWindow> windows, CancellationToken cancellationToken)
    {
        // Built before the lock, which then covers only the database work.
        var rollups = windows.Select(w => (w.MinuteStart, Total: UsageRollupMerger.ToTotal(w), Endpoints: UsageRollupMerger.ToEndpoints(w), Consumers: UsageRollupMerger.ToConsumers(w))).ToList();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UsageDbContext>();
        await using var transaction = await UsageRollupMerger.BeginExclusiveAsync(db, cancellationToken);
        foreach (var (start, total, endpoints, consumers) in rollups)
        {
            await UsageRollupMerger.MergeTotalAsync(db, UsageLimits.Minute, start, total, cancellationToken);
            await UsageRollupMerger.MergeEndpointsAsync(db, UsageLimits.Minute, start, endpoints, cancellationToken);
            await UsageRollupMerger.MergeConsumersAsync(db, UsageLimits.Minute, start, consumers, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task WriteRequestsAsync(IReadOnlyList<UsageSample> samples, CancellationToken cancellationToken)
    {
        if (samples.Count == 0)
        {
            return;
        }

        // Raw rows are write-only here: change tracking and EF's INSERT ... RETURNING per row cost more CPU
        // than the insert itself at thousands of rows a second, CPU the requests are competing for. One
        // prepared statement, re-bound per row inside one transaction, is the provider's fast path.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UsageDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            command.CommandText = RawInsertSql(db);
            var parameters = new DbParameter[RawInsertProperties.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i] = command.CreateParameter();
                parameters[i].ParameterName = "@p" + i;
                command.Parameters.Add(parameters[i]);
            }

            foreach (var sample in samples)
            {
                parameters[0].Value = sample.TimestampMs;
                parameters[1].Value = sample.Method;
                parameters[2].Value = sample.Route;
                parameters[3].Value = sample.StatusCode;
                parameters[4].Value = sample.DurationMs;
                parameters[5].Value = sample.Consumer;
                parameters[6].Value = sample.RequestBytes;
                parameters[7].Value = sample.ResponseBytes;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string RawInsertSql(DbContext db)
    {
        var table = MappedTable.For<UsageRequest>(db);
        var columns = string.Join(", ", RawInsertProperties.Select(table.Column));
        var values = string.Join(", ", RawInsertProperties.Select((_, i) => "@p" + i));
        return $"INSERT INTO {table.Name} ({columns}) VALUES ({values})";
    }
}

/// <summary>
/// Adds rollup rows into the rows of the same key and period, or inserts them. The writer uses it for
/// minutes, the maintenance job to fold minutes into hours. The caller saves.
/// </summary>
internal static class UsageRollupMerger
{
#if (usePostgres)
    // The advisory lock of the rollup writers: any constant that no other code on the database locks.
    private const long RollupLockKey = 0x4175_7468_5573_6167;

#endif
    public static UsageTotalRollup ToTotal(UsageWindow window)
    {
        var histogram = new LatencyHistogram();
        window.Total.Histogram!.AddTo(histogram);
        return new UsageTotalRollup
        {
            Requests = window.Total.Requests,
            ClientErrors = window.Total.ClientErrors,
            ServerErrors = window.Total.ServerErrors,
            DurationMsSum = window.Total.DurationMsSum,
            Histogram = histogram.Encode(),
        };
    }

    public static List<UsageEndpointRollup> ToEndpoints(UsageWindow window) =>
        window.Endpoints.Select(pair =>
        {
            var histogram = new LatencyHistogram();
            pair.Value.Histogram!.AddTo(histogram);
            return new UsageEndpointRollup
            {
                Method = pair.Key.Method,
                Route = pair.Key.Route,
                Requests = pair.Value.Requests,
                ClientErrors = pair.Value.ClientErrors,
                ServerErrors = pair.Value.ServerErrors,
                DurationMsSum = pair.Value.DurationMsSum,
                RequestBytes = pair.Value.RequestBytes,
                ResponseBytes = pair.Value.ResponseBytes,
                Histogram = histogram.Encode(),
            };
        }).ToList();

    public static List<UsageConsumerRollup> ToConsumers(UsageWindow window) =>
        window.Consumers.Select(pair => new UsageConsumerRollup
        {
            Method = pair.Key.Method,
            Route = pair.Key.Route,
            StatusCode = pair.Key.StatusCode,
            Consumer = pair.Key.Consumer,
            Requests = pair.Value.Requests,
            DurationMsSum = pair.Value.DurationMsSum,
        }).ToList();

    /// <summary>
    /// A transaction for reading rollup rows, merging into them and writing them back. The writer and the
    /// maintenance job of every instance merge into the same minute and hour rows, so these transactions run
    /// one at a time, or counts would be lost. A SQLite transaction takes the file's write lock when it begins
    /// (Microsoft.Data.Sqlite begins them IMMEDIATE); on PostgreSQL a transaction-scoped advisory lock
    /// serializes them across every instance on the database.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginExclusiveAsync(UsageDbContext db, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
#if (usePostgres)
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({RollupLockKey})", cancellationToken);
#endif
        return transaction;
    }

    public static async Task MergeTotalAsync(UsageDbContext db, int bucketSeconds, long periodStart, UsageTotalRollup add, CancellationToken cancellationToken)
    {
        var row = db.Totals.Local.FirstOrDefault(r => r.BucketSeconds == bucketSeconds && r.PeriodStart == periodStart)
            ?? await db.Totals.FirstOrDefaultAsync(r => r.BucketSeconds == bucketSeconds && r.PeriodStart == periodStart, cancellationToken);
        if (row is null)
        {
            add.BucketSeconds = bucketSeconds;
            add.PeriodStart = periodStart;
            db.Totals.Add(add);
            return;
        }

        row.Requests += add.Requests;
        row.ClientErrors += add.ClientErrors;
        row.ServerErrors += add.ServerErrors;
        row.DurationMsSum += add.DurationMsSum;
        row.Histogram = Merge(row.Histogram, add.Histogram);
    }

    public static async Task MergeEndpointsAsync(UsageDbContext db, int bucketSeconds, long periodStart, IReadOnlyList<UsageEndpointRollup> add, CancellationToken cancellationToken)
    {
        await db.Endpoints.Where(r => r.BucketSeconds == bucketSeconds && r.PeriodStart == periodStart).LoadAsync(cancellationToken);
        var existing = db.Endpoints.Local
            .Where(r => r.BucketSeconds == bucketSeconds && r.PeriodStart == periodStart)
            .ToDictionary(r => (r.Method, r.Route));
        foreach (var rollup in add)
        {
            if (!existing.TryGetValue((rollup.Method, rollup.Route), out var row))
            {
                rollup.BucketSeconds = bucketSeconds;
                rollup.PeriodStart = periodStart;
                db.Endpoints.Add(rollup);
                existing[(rollup.Method, rollup.Route)] = rollup;
                continue;
            }

            row.Requests += rollup.Requests;
            row.ClientErrors += rollup.ClientErrors;
            row.ServerErrors += rollup.ServerErrors;
            row.DurationMsSum += rollup.DurationMsSum;
            row.RequestBytes += rollup.RequestBytes;
            row.ResponseBytes += rollup.ResponseBytes;
            row.Histogram = Merge(row.Histogram, rollup.Histogram);
        }
    }

    public static async Task MergeConsumersAsync(UsageDbContext db, int bucketSeconds, long periodStart, IReadOnlyList<UsageConsumerRollup> add, CancellationToken cancellationToken)
    {
        await db.Consumers.Where(r => r.BucketSeconds == bucketSeconds && r.PeriodStart == periodStart).LoadAsync(cancellationToken);
        var existing = db.Consumers.Local
            .Where(r => r.BucketSeconds == bucketSeconds && r.PeriodStart == periodStart)
            .ToDictionary(r => (r.Method, r.Route, r.StatusCode, r.Consumer));
        foreach (var rollup in add)
        {
            var key = (rollup.Method, rollup.Route, rollup.StatusCode, rollup.Consumer);
            if (!existing.TryGetValue(key, out var row))
            {
                rollup.BucketSeconds = bucketSeconds;
                rollup.PeriodStart = periodStart;
                db.Consumers.Add(rollup);
                existing[key] = rollup;
                continue;
            }

            row.Requests += rollup.Requests;
            row.DurationMsSum += rollup.DurationMsSum;
        }
    }

    public static byte[] Merge(byte[] left, byte[] right)
    {
        var histogram = new LatencyHistogram();
        histogram.AddEncoded(left);
        histogram.AddEncoded(right);
        return histogram.Encode();
    }
}

using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace AuthApiTemplate.Usage;

/// <summary>
/// Answers the analytics routes from the stored rollups plus the minutes still in memory, read under the
/// writer's gate so that a minute on its way to the store is counted exactly once.
/// </summary>
public sealed class UsageQueries(UsageDbContext db, UsageTracker tracker, IEnumerable<IUsageConsumerNames> consumerNames)
{
    public async Task<UsageStatsResponse> StatsAsync(
        DateTimeOffset from, DateTimeOffset to, int? intervalSeconds, bool statusClasses, CancellationToken cancellationToken)
    {
        var (f, t) = (Seconds(from), Seconds(to));
        var total = new Accumulator();
        var series = intervalSeconds is { } interval ? new SortedDictionary<long, Accumulator>() : null;
        SortedDictionary<int, long>? classes = statusClasses ? new() { [2] = 0, [3] = 0, [4] = 0, [5] = 0 } : null;

        await tracker.StoreGate.WaitAsync(cancellationToken);
        try
        {
            var rows = await db.Totals.AsNoTracking()
                .Where(r => r.PeriodStart >= f && r.PeriodStart < t)
                .Select(r => new { r.PeriodStart, r.Requests, r.ClientErrors, r.ServerErrors, r.Histogram })
                .ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                total.Add(row.Requests, row.ClientErrors, row.ServerErrors, row.Histogram);
                if (series is not null)
                {
                    At(series, Point(row.PeriodStart)).Add(row.Requests, row.ClientErrors, row.ServerErrors, row.Histogram);
                }
            }

            foreach (var window in tracker.Aggregator.UnstoredWindows(f, t))
            {
                total.Add(window.Total);
                if (series is not null)
                {
                    At(series, Point(window.MinuteStart)).Add(window.Total);
                }
            }

            if (classes is not null)
            {
                // The per-consumer rollups keep each status (or, past the series cap, its class), and count every request.
                var stored = await db.Consumers.AsNoTracking()
                    .Where(r => r.PeriodStart >= f && r.PeriodStart < t)
                    .GroupBy(r => r.StatusCode / 100)
                    .Select(g => new { Class = g.Key, Count = g.Sum(r => r.Requests) })
                    .ToListAsync(cancellationToken);
                var inMemory = tracker.Aggregator.UnstoredWindows(f, t)
                    .SelectMany(w => w.Consumers)
                    .Select(c => new { Class = c.Key.StatusCode / 100, Count = c.Value.Requests });
                foreach (var group in stored.Concat(inMemory).Where(c => c.Class is >= 1 and <= 5))
                {
                    classes[group.Class] = classes.GetValueOrDefault(group.Class) + group.Count;
                }
            }
        }
        finally
        {
            tracker.StoreGate.Release();
        }

        return new UsageStatsResponse(from, to, total.Requests, total.ErrorRate, total.Percentile(0.50), total.Percentile(0.95), total.Percentile(0.99))
        {
            ClientErrors = total.ClientErrors,
            ServerErrors = total.ServerErrors,
            StatusClasses = classes?.ToDictionary(c => c.Key + "xx", c => c.Value),
            Series = series?.Select(p => new UsagePoint(DateTimeOffset.FromUnixTimeSeconds(p.Key), p.Value.Requests, p.Value.ErrorRate, p.Value.Percentile(0.95))).ToList(),
        };

        long Point(long periodStart) => periodStart - (((periodStart - f) % intervalSeconds!.Value) + intervalSeconds.Value) % intervalSeconds.Value;
    }

    public async Task<IReadOnlyList<UsageEndpointResponse>> EndpointsAsync(DateTimeOffset from, DateTimeOffset to, int top, CancellationToken cancellationToken)
    {
        var (f, t) = (Seconds(from), Seconds(to));
        var endpoints = new Dictionary<UsageEndpointKey, Accumulator>();

        await tracker.StoreGate.WaitAsync(cancellationToken);
        try
        {
            await foreach (var row in ReadEndpointRowsAsync(f, t, cancellationToken))
            {
                At(endpoints, row.Key).Add(row.Requests, row.ClientErrors, row.ServerErrors, row.Histogram);
            }

            foreach (var (key, counters) in tracker.Aggregator.UnstoredWindows(f, t).SelectMany(w => w.Endpoints))
            {
                At(endpoints, key).Add(counters);
            }
        }
        finally
        {
            tracker.StoreGate.Release();
        }

        return endpoints
            .OrderByDescending(e => e.Value.Requests).ThenBy(e => e.Key.Route, StringComparer.Ordinal).ThenBy(e => e.Key.Method, StringComparer.Ordinal)
            .Take(top)
            .Select(e => new UsageEndpointResponse(e.Key.Method, e.Key.Route, e.Value.Requests, e.Value.ErrorRate, e.Value.Percentile(0.50), e.Value.Percentile(0.95), e.Value.Percentile(0.99)))
            .ToList();
    }

    public async Task<IReadOnlyList<UsageErrorResponse>> ErrorsAsync(DateTimeOffset from, DateTimeOffset to, int top, CancellationToken cancellationToken)
    {
        var (f, t) = (Seconds(from), Seconds(to));
        await tracker.StoreGate.WaitAsync(cancellationToken);
        try
        {
            var stored = await db.Consumers.AsNoTracking()
                .Where(r => r.PeriodStart >= f && r.PeriodStart < t && r.StatusCode >= 400)
                .GroupBy(r => new { r.Method, r.Route, r.StatusCode })
                .Select(g => new { g.Key.Method, g.Key.Route, g.Key.StatusCode, Count = g.Sum(r => r.Requests) })
                .ToListAsync(cancellationToken);
            var inMemory = tracker.Aggregator.UnstoredWindows(f, t)
                .SelectMany(w => w.Consumers)
                .Where(c => c.Key.StatusCode >= 400)
                .Select(c => new { c.Key.Method, c.Key.Route, c.Key.StatusCode, Count = c.Value.Requests });
            return stored.Concat(inMemory)
                .GroupBy(e => (e.Method, e.Route, e.StatusCode))
                .Select(g => new UsageErrorResponse(g.Key.Method, g.Key.Route, g.Key.StatusCode, g.Sum(e => e.Count)))
                .OrderByDescending(e => e.Count).ThenBy(e => e.Route, StringComparer.Ordinal).ThenBy(e => e.StatusCode)
                .Take(top)
                .ToList();
        }
        finally
        {
            tracker.StoreGate.Release();
        }
    }

    public async Task<IReadOnlyList<UsageConsumerResponse>> ConsumersAsync(DateTimeOffset from, DateTimeOffset to, int top, CancellationToken cancellationToken)
    {
        var consumers = await TopConsumersAsync(from, to, top, cancellationToken);
        if (consumers.Count == 0)
        {
            return consumers;
        }

        // Only the top consumers are named, by one query per source, outside the writer's gate.
        var ids = consumers.Select(c => c.Consumer).ToList();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in consumerNames)
        {
            foreach (var (consumer, name) in await source.NamesAsync(ids, cancellationToken))
            {
                names.TryAdd(consumer, name);
            }
        }

        return names.Count == 0
            ? consumers
            : consumers.Select(c => names.TryGetValue(c.Consumer, out var name) ? c with { Name = name } : c).ToList();
    }

    private async Task<IReadOnlyList<UsageConsumerResponse>> TopConsumersAsync(DateTimeOffset from, DateTimeOffset to, int top, CancellationToken cancellationToken)
    {
        var (f, t) = (Seconds(from), Seconds(to));
        await tracker.StoreGate.WaitAsync(cancellationToken);
        try
        {
            var stored = await db.Consumers.AsNoTracking()
                .Where(r => r.PeriodStart >= f && r.PeriodStart < t)
                .GroupBy(r => r.Consumer)
                .Select(g => new
                {
                    Consumer = g.Key,
                    Count = g.Sum(r => r.Requests),
                    Errors = g.Sum(r => r.StatusCode >= 400 ? r.Requests : 0),
                    LastSeen = g.Max(r => r.PeriodStart + r.BucketSeconds),
                })
                .ToListAsync(cancellationToken);
            var inMemory = tracker.Aggregator.UnstoredWindows(f, t)
                .SelectMany(w => w.Consumers.Select(c => new
                {
                    c.Key.Consumer,
                    Count = c.Value.Requests,
                    Errors = c.Key.StatusCode >= 400 ? c.Value.Requests : 0,
                    LastSeen = w.MinuteStart + UsageLimits.Minute,
                }));
            return stored.Concat(inMemory)
                .GroupBy(c => c.Consumer)
                .Select(g =>
                {
                    var count = g.Sum(c => c.Count);
                    return new UsageConsumerResponse(
                        g.Key,
                        count,
                        Accumulator.Rate(g.Sum(c => c.Errors), count),
                        DateTimeOffset.FromUnixTimeSeconds(Math.Min(g.Max(c => c.LastSeen), t)));
                })
                .OrderByDescending(c => c.Count).ThenBy(c => c.Consumer, StringComparer.Ordinal)
                .Take(top)
                .ToList();
        }
        finally
        {
            tracker.StoreGate.Release();
        }
    }

    /// <summary>The last 60 seconds, straight from memory.</summary>
    public UsageRealtimeResponse Realtime()
    {
        const int Seconds = 60;
        var now = tracker.Time.GetUtcNow().ToUnixTimeSeconds();
        var points = tracker.Aggregator.Realtime.Read(now - Seconds + 1, now);
        var total = new Accumulator();
        var series = new List<UsageRealtimePoint>(points.Count);
        foreach (var (second, requests, clientErrors, serverErrors, histogram) in points)
        {
            total.Add(requests, clientErrors, serverErrors, histogram);
            series.Add(new UsageRealtimePoint(DateTimeOffset.FromUnixTimeSeconds(second), requests, clientErrors + serverErrors, histogram.Percentile(0.95) ?? 0));
        }

        return new UsageRealtimeResponse(
            DateTimeOffset.FromUnixTimeSeconds(now - Seconds + 1),
            DateTimeOffset.FromUnixTimeSeconds(now + 1),
            total.Requests,
            Math.Round(total.Requests / (double)Seconds, 3),
            total.ErrorRate,
            total.Percentile(0.50),
            total.Percentile(0.95),
            total.Percentile(0.99),
            series);
    }

    /// <summary>
    /// The endpoint rollups of a window, streamed from a data reader. A month holds tens of thousands of
    /// minute and hour rows; materialising them through EF Core's query pipeline took several times longer
    /// than SQLite (or PostgreSQL) needed to read them, so this one query reads the columns directly.
    /// </summary>
    private async IAsyncEnumerable<(UsageEndpointKey Key, long Requests, long ClientErrors, long ServerErrors, byte[] Histogram)> ReadEndpointRowsAsync(
        long from, long to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = EndpointRowsSql(db);
            AddParameter(command, "@from", from);
            AddParameter(command, "@to", to);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                yield return (
                    new UsageEndpointKey(reader.GetString(0), reader.GetString(1)),
                    reader.GetInt64(2),
                    reader.GetInt64(3),
                    reader.GetInt64(4),
                    reader.GetFieldValue<byte[]>(5));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string EndpointRowsSql(DbContext db)
    {
        var rollups = MappedTable.For<UsageEndpointRollup>(db);
        string[] columns =
        [
            rollups.Column(nameof(UsageEndpointRollup.Method)), rollups.Column(nameof(UsageEndpointRollup.Route)),
            rollups.Column(nameof(UsageEndpointRollup.Requests)), rollups.Column(nameof(UsageEndpointRollup.ClientErrors)),
            rollups.Column(nameof(UsageEndpointRollup.ServerErrors)), rollups.Column(nameof(UsageEndpointRollup.Histogram)),
        ];
        var periodStart = rollups.Column(nameof(UsageEndpointRollup.PeriodStart));
        return $"SELECT {string.Join(", ", columns)} FROM {rollups.Name} WHERE {periodStart} >= @from AND {periodStart} < @to";
    }

    private static void AddParameter(DbCommand command, string name, long value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// Periods start on whole seconds, so "starts in [from, to)" is "starts in [ceil(from), ceil(to))": a
    /// request 0.7 s into the current minute is inside a window that ends now.
    /// </summary>
    private static long Seconds(DateTimeOffset time) => (long)Math.Ceiling(time.ToUnixTimeMilliseconds() / 1000.0);

    private static Accumulator At<TKey>(IDictionary<TKey, Accumulator> accumulators, TKey key)
    {
        if (!accumulators.TryGetValue(key, out var accumulator))
        {
            accumulators[key] = accumulator = new Accumulator();
        }

        return accumulator;
    }

    private sealed class Accumulator
    {
        private readonly LatencyHistogram _histogram = new();

        public long Requests { get; private set; }

        public long ClientErrors { get; private set; }

        public long ServerErrors { get; private set; }

        public double ErrorRate => Rate(ClientErrors + ServerErrors, Requests);

        public static double Rate(long errors, long requests) => requests == 0 ? 0 : Math.Round(errors / (double)requests, 4);

        public double Percentile(double quantile) => _histogram.Percentile(quantile) ?? 0;

        public void Add(long requests, long clientErrors, long serverErrors, byte[] histogram)
        {
            Requests += requests;
            ClientErrors += clientErrors;
            ServerErrors += serverErrors;
            _histogram.AddEncoded(histogram);
        }

        public void Add(long requests, long clientErrors, long serverErrors, LatencyHistogram histogram)
        {
            Requests += requests;
            ClientErrors += clientErrors;
            ServerErrors += serverErrors;
            _histogram.Add(histogram);
        }

        public void Add(UsageCounters counters)
        {
            Requests += counters.Requests;
            ClientErrors += counters.ClientErrors;
            ServerErrors += counters.ServerErrors;
            counters.Histogram?.AddTo(_histogram);
        }
    }
}

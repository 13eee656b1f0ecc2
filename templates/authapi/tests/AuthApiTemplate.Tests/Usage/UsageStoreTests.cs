using System.Text.Json;
using AuthApiTemplate.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.Usage;

public sealed class UsageStoreTests
{
    [Fact]
    public async Task No_credential_query_string_header_cookie_or_body_ends_up_in_a_stored_row()
    {
        using var factory = new UsageApiFactory();
        var client = factory.CreateClient().As("user-7", roles: "admin");
        string[] secrets = ["SECRET-QUERY-b7f1", "SECRET-HEADER-91ac", "SECRET-COOKIE-53de", "SECRET-BODY-0c44", "SECRET-BEARER-ee02", "SECRET-APIKEY-7a3b", "SECRET-PATH-42aa"];

        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/items?api_key={secrets[0]}&token={secrets[0]}"))
        {
            request.Headers.Add("X-Custom", secrets[1]);
            request.Headers.Add("Cookie", $"session={secrets[2]}");
            request.Headers.Add("X-API-Key", secrets[5]);
            request.Content = JsonContent.Create(new { name = secrets[3] });
            await client.SendAsync(request);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/items/{secrets[6]}?access_token={secrets[0]}"))
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {secrets[4]}");
            await client.SendAsync(request);
        }

        await factory.CreateClient().GetAsync($"/reset-password/{secrets[6]}?code={secrets[0]}");
        await factory.FlushAsync();

        var dump = await factory.DumpUsageTablesAsync();
        Assert.Contains("user-7", dump, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, dump, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain("SECRET", dump, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Cleanup_deletes_raw_rows_past_retention_in_batches_and_folds_old_minutes_into_hours()
    {
        using var factory = new UsageApiFactory();
        factory.Settings["Usage:RetentionDays"] = "7";
        var client = factory.CreateClient().Admin();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        var now = DateTimeOffset.UtcNow;
        var old = now.AddDays(-8).ToUnixTimeMilliseconds();
        var recent = now.AddDays(-6).ToUnixTimeMilliseconds();
        // Two days ago, at the start of an hour, so the hour is complete and past the minute resolution.
        var hour = now.AddDays(-2).ToUnixTimeSeconds() / 3600 * 3600;
        await factory.WithDbAsync(async db =>
        {
            db.Requests.AddRange(Enumerable.Range(0, UsageMaintenance.DeleteBatchSize + 300).Select(i => Raw(old - i)));
            db.Requests.AddRange(Enumerable.Range(0, 40).Select(i => Raw(recent - i)));
            for (var minute = 0; minute < 3; minute++)
            {
                var histogram = new LatencyHistogram();
                histogram.Add(LatencyBuckets.IndexOf(10 * (minute + 1)), 10);
                db.Totals.Add(new UsageTotalRollup { BucketSeconds = 60, PeriodStart = hour + (minute * 60), Requests = 10, ClientErrors = minute, Histogram = histogram.Encode() });
                db.Endpoints.Add(new UsageEndpointRollup { BucketSeconds = 60, PeriodStart = hour + (minute * 60), Method = "GET", Route = "/items", Requests = 10, ClientErrors = minute, Histogram = histogram.Encode() });
                db.Consumers.Add(new UsageConsumerRollup { BucketSeconds = 60, PeriodStart = hour + (minute * 60), Method = "GET", Route = "/items", StatusCode = 200, Consumer = "user-1", Requests = 10 });
            }

            return await db.SaveChangesAsync();
        });

        var window = $"from={Uri.EscapeDataString(DateTimeOffset.FromUnixTimeSeconds(hour).ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.FromUnixTimeSeconds(hour + 3600).ToString("O"))}";
        var before = await client.GetFromJsonAsync<JsonElement>($"/usage/stats?{window}");
        Assert.Equal(30, before.GetProperty("totalRequests").GetInt64());

        var cleanup = await client.PostAsync("/usage/cleanup", null);
        Assert.Equal(HttpStatusCode.OK, cleanup.StatusCode);
        var result = await cleanup.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(UsageMaintenance.DeleteBatchSize + 300, result.GetProperty("rawRowsDeleted").GetInt64());
        Assert.Equal(9, result.GetProperty("minuteRollupsDownsampled").GetInt64());

        Assert.Equal(40, await factory.WithDbAsync(db => db.Requests.CountAsync()));
        var hourly = await factory.WithDbAsync(db => db.Totals.AsNoTracking().Where(t => t.PeriodStart >= hour && t.PeriodStart < hour + 3600).ToListAsync());
        var single = Assert.Single(hourly);
        Assert.Equal(3600, single.BucketSeconds);
        Assert.Equal(30, single.Requests);
        Assert.Equal(3, single.ClientErrors);
        Assert.Equal(1, await factory.WithDbAsync(db => db.Consumers.CountAsync(c => c.PeriodStart == hour && c.BucketSeconds == 3600 && c.Requests == 30)));

        var after = await client.GetFromJsonAsync<JsonElement>($"/usage/stats?{window}");
        Assert.Equal(30, after.GetProperty("totalRequests").GetInt64());
        Assert.Equal(before.GetProperty("p50Ms").GetDouble(), after.GetProperty("p50Ms").GetDouble());
        Assert.Equal(before.GetProperty("p99Ms").GetDouble(), after.GetProperty("p99Ms").GetDouble());
        var endpoints = await client.GetFromJsonAsync<JsonElement>($"/usage/endpoints?{window}");
        Assert.Equal(30, Assert.Single(endpoints.EnumerateArray()).GetProperty("count").GetInt64());

        // A second run finds nothing left to do.
        var again = await (await client.PostAsync("/usage/cleanup", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, again.GetProperty("rawRowsDeleted").GetInt64());
        Assert.Equal(0, again.GetProperty("minuteRollupsDownsampled").GetInt64());
    }

    [Fact]
    public async Task Minutes_written_twice_are_merged_not_duplicated()
    {
        using var factory = new UsageApiFactory();
        var client = factory.CreateClient().Admin();
        await client.GetAsync("/items");
        await factory.FlushAsync();
        await client.GetAsync("/items");
        await factory.FlushAsync();

        var totals = await factory.WithDbAsync(db => db.Totals.AsNoTracking().ToListAsync());
        Assert.Equal(2, totals.Sum(t => t.Requests));
        Assert.Equal(totals.Count, totals.Select(t => (t.BucketSeconds, t.PeriodStart)).Distinct().Count());
        var stats = await client.GetFromJsonAsync<JsonElement>("/usage/stats");
        Assert.Equal(2, stats.GetProperty("totalRequests").GetInt64());
    }

    [Fact]
    public async Task Two_instances_writing_the_same_minute_at_once_lose_no_counts()
    {
        using var factory = new UsageApiFactory();
        (await factory.CreateClient().Admin().GetAsync("/usage/stats")).EnsureSuccessStatusCode();
        // A second instance of the app: its own services and writer, the same database.
        using var other = factory.WithWebHostBuilder(_ => { });
        var stores = new[] { factory.Services.GetRequiredService<IUsageStore>(), other.Services.GetRequiredService<IUsageStore>() };
        var minute = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 - 10) * 60;
        const int Writes = 16;

        await Task.WhenAll(Enumerable.Range(0, Writes).Select(i =>
            Task.Run(() => stores[i % 2].WriteWindowsAsync([WindowOfOneRequest(minute)], CancellationToken.None))));

        var total = await factory.WithDbAsync(db => db.Totals.AsNoTracking().SingleAsync(t => t.BucketSeconds == UsageLimits.Minute && t.PeriodStart == minute));
        Assert.Equal(Writes, total.Requests);
        var endpoint = await factory.WithDbAsync(db => db.Endpoints.AsNoTracking().SingleAsync(t => t.BucketSeconds == UsageLimits.Minute && t.PeriodStart == minute));
        Assert.Equal(Writes, endpoint.Requests);
        var consumer = await factory.WithDbAsync(db => db.Consumers.AsNoTracking().SingleAsync(t => t.BucketSeconds == UsageLimits.Minute && t.PeriodStart == minute));
        Assert.Equal(Writes, consumer.Requests);
    }

    private static UsageWindow WindowOfOneRequest(long minuteStart)
    {
        var aggregator = new UsageAggregator(maxConsumerSeries: 100, maxPendingWindows: 10);
        aggregator.Record(new UsageSample(minuteStart * 1000 + 500, "GET", "/items", 200, 1.5, "anonymous", 0, 10));
        aggregator.SealBefore(minuteStart + 60);
        return Assert.Single(aggregator.PendingSnapshot());
    }

    [Fact]
    public async Task Endpoints_rank_stored_and_in_memory_traffic_as_one()
    {
        using var factory = new UsageApiFactory();
        var client = factory.CreateClient().Admin();
        var tracker = factory.Tracker;
        var now = TimeProvider.System.GetUtcNow();
        var hourAgo = now.AddHours(-1).ToUnixTimeMilliseconds();
        void Record(long at, string route, int status, double ms, int times)
        {
            for (var i = 0; i < times; i++)
            {
                tracker.Record(new UsageSample(at, "GET", route, status, ms, "anonymous", 0, 0));
            }
        }

        // Stored an hour ago, then more of the same routes still in memory: each route's figures are both.
        Record(hourAgo, "/stored-and-live", 200, 2, 30);
        Record(hourAgo, "/stored-only", 500, 40, 20);
        Record(hourAgo, "/least", 200, 1, 5);
        await factory.FlushAsync();
        var live = now.ToUnixTimeMilliseconds();
        Record(live, "/stored-and-live", 404, 9, 10);
        Record(live, "/live-only", 200, 3, 25);

        var window = $"from={Uri.EscapeDataString(now.AddHours(-2).ToString("O"))}&to={Uri.EscapeDataString(now.AddMinutes(1).ToString("O"))}";
        var endpoints = (await client.GetFromJsonAsync<JsonElement>($"/usage/endpoints?{window}&top=3")).EnumerateArray().ToList();

        Assert.Equal(["/stored-and-live", "/live-only", "/stored-only"], endpoints.Select(e => e.GetProperty("route").GetString()));
        Assert.Equal([40L, 25L, 20L], endpoints.Select(e => e.GetProperty("count").GetInt64()));
        Assert.Equal(0.25, endpoints[0].GetProperty("errorRate").GetDouble());
        Assert.Equal(1.0, endpoints[2].GetProperty("errorRate").GetDouble());
        // 30 of the 40 took 2 ms and 10 took 9 ms: the median is the stored part, the p95 the live part.
        Assert.InRange(endpoints[0].GetProperty("p50Ms").GetDouble(), 1.9, 2.1);
        Assert.InRange(endpoints[0].GetProperty("p95Ms").GetDouble(), 8.5, 9.5);
        Assert.InRange(endpoints[2].GetProperty("p99Ms").GetDouble(), 38, 42);
    }

    private static UsageRequest Raw(long timestamp) => new()
    {
        Timestamp = timestamp,
        Method = "GET",
        Route = "/items",
        StatusCode = 200,
        DurationMs = 1,
        Consumer = "anonymous",
    };
}

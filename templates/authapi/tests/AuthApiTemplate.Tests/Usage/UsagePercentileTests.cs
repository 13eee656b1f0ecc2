using System.Text.Json;
using AuthApiTemplate.Usage;

namespace AuthApiTemplate.Tests.Usage;

public sealed class UsagePercentileTests
{
    public static TheoryData<string> Distributions => ["uniform", "lognormal", "exponential", "bimodal", "constant", "heavy-tail", "microseconds"];

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Histogram_percentiles_are_within_2_point_2_percent_of_the_exact_values(string distribution)
    {
        var values = Synthetic(distribution, 50_000, seed: 7);
        var histogram = new LatencyHistogram();
        foreach (var value in values)
        {
            histogram.Add(LatencyBuckets.IndexOf(value), 1);
        }

        // Round-trip through the stored form as the queries do.
        var stored = new LatencyHistogram();
        stored.AddEncoded(histogram.Encode());

        foreach (var quantile in new[] { 0.5, 0.9, 0.95, 0.99, 0.999 })
        {
            var exact = Exact(values, quantile);
            var estimate = stored.Percentile(quantile)!.Value;
            // The documented bound: a bucket's midpoint is within 2.2 % of any value in the bucket, at any
            // latency, and the reported value keeps five significant digits.
            Assert.InRange(Math.Abs(estimate - exact) / exact, 0, 0.022);
        }
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public async Task Stats_percentiles_match_exact_values_at_any_sampling_rate(string distribution)
    {
        using var factory = new UsageApiFactory();
        factory.Settings["Usage:SamplingRate"] = "0.01";
        var client = factory.CreateClient().Admin();
        var tracker = factory.Tracker;
        var values = Synthetic(distribution, 20_000, seed: 11);
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var value in values)
        {
            tracker.Record(new UsageSample(now, "GET", "/synthetic", 200, value, "anonymous", 0, 0));
        }

        var stats = await client.GetFromJsonAsync<JsonElement>("/usage/stats");
        Assert.Equal(values.Length, stats.GetProperty("totalRequests").GetInt64());
        foreach (var (name, quantile) in new[] { ("p50Ms", 0.5), ("p95Ms", 0.95), ("p99Ms", 0.99) })
        {
            var exact = Exact(values, quantile);
            var reported = stats.GetProperty(name).GetDouble();
            Assert.True(Math.Abs(reported - exact) / exact <= 0.022, $"{distribution} {name}: reported {reported}, exact {exact}");
        }
    }

    /// <summary>Nearest-rank percentile, the definition the tracker reports.</summary>
    private static double Exact(double[] values, double quantile)
    {
        var sorted = values.Order().ToArray();
        var rank = Math.Max(1, (int)Math.Ceiling(quantile * sorted.Length));
        return sorted[rank - 1];
    }

    private static double[] Synthetic(string distribution, int count, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return Enumerable.Range(0, count).Select(_ => distribution switch
        {
            "uniform" => 1 + random.NextDouble() * 199,
            "lognormal" => Math.Exp(Math.Log(20) + 0.8 * Normal()),
            "exponential" => 0.05 - Math.Log(1 - random.NextDouble()) * 15,
            "bimodal" => random.NextDouble() < 0.9 ? 3 + random.NextDouble() * 2 : 400 + random.NextDouble() * 100,
            "constant" => 42.0,
            "heavy-tail" => 0.2 / Math.Pow(1 - random.NextDouble(), 1.0 / 1.5),
            // The quickest answers (an in-memory 404 or 429): a few microseconds.
            "microseconds" => 0.004 + random.NextDouble() * 0.016,
            _ => throw new ArgumentOutOfRangeException(nameof(distribution)),
        }).ToArray();
    }
}

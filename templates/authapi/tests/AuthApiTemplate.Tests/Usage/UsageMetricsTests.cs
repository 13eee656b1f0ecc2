using System.Diagnostics.Metrics;
using AuthApiTemplate.Usage;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.Usage;

public sealed class UsageMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, object Value, Dictionary<string, object?> Tags)> _measurements = [];
    private readonly List<string> _instruments = [];
    private readonly UsageMetrics _metrics;

    public UsageMetricsTests()
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        // Only this test's meter: other tests' apps publish under the same meter name in this process.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meterFactory)
            {
                lock (_instruments)
                {
                    _instruments.Add(instrument.Name);
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
        _metrics = new UsageMetrics(meterFactory);
    }

    [Fact]
    public void Requests_are_counted_and_timed_per_consumer_beside_aspnetcore_own_duration()
    {
        _metrics.RecordRequest(Sample("apikey:7", "POST", "/items", 201, 25));

        Assert.DoesNotContain("http.server.request.duration", _instruments);
        var count = Assert.Single(_measurements, m => m.Instrument == UsageMetrics.RequestsInstrument);
        Assert.Equal(1L, count.Value);
        Assert.Equal("apikey", count.Tags["authapi.consumer.kind"]);
        Assert.Equal("apikey:7", count.Tags["authapi.consumer.id"]);
        Assert.Equal("/items", count.Tags["http.route"]);
        Assert.Equal("POST", count.Tags["http.request.method"]);
        Assert.Equal("2xx", count.Tags["authapi.response.status_class"]);

        var duration = Assert.Single(_measurements, m => m.Instrument == UsageMetrics.DurationInstrument);
        Assert.Equal(0.025, (double)duration.Value, 6);
        Assert.Equal(["authapi.consumer.id", "authapi.consumer.kind"], duration.Tags.Keys.Order());
    }

    [Fact]
    public void Consumers_past_the_cap_share_one_series_and_keep_their_kind()
    {
        for (var i = 0; i < UsageMetrics.MaxConsumers; i++)
        {
            _metrics.RecordRequest(Sample($"user-{i}", "GET", "/items/{id}", 404, 1));
        }

        _metrics.RecordRequest(Sample("user-late", "GET", "/items/{id}", 404, 1));
        _metrics.RecordRequest(Sample(UsageTrackingMiddleware.Anonymous, "GET", "/items/{id}", 503, 1));
        _metrics.RecordRequest(Sample("user-0", "GET", "/items/{id}", 404, 1));

        var counts = _measurements.Where(m => m.Instrument == UsageMetrics.RequestsInstrument).ToList();
        Assert.Equal(UsageMetrics.MaxConsumers + 3, counts.Count);
        Assert.Equal(UsageMetrics.MaxConsumers, counts.Select(m => m.Tags["authapi.consumer.id"]).Distinct().Count() - 1);
        Assert.Equal(UsageWindow.OverflowConsumer, counts[^3].Tags["authapi.consumer.id"]);
        Assert.Equal("user", counts[^3].Tags["authapi.consumer.kind"]);
        Assert.Equal("4xx", counts[^3].Tags["authapi.response.status_class"]);
        Assert.Equal("anonymous", counts[^2].Tags["authapi.consumer.kind"]);
        Assert.Equal("5xx", counts[^2].Tags["authapi.response.status_class"]);
        Assert.Equal("user-0", counts[^1].Tags["authapi.consumer.id"]);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private static UsageSample Sample(string consumer, string method, string route, int status, double durationMs) =>
        new(0, method, route, status, durationMs, consumer, 0, 0);

    private void Add(Instrument instrument, object value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var (key, tagValue) in tags)
        {
            copy[key] = tagValue;
        }

        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, copy));
        }
    }
}

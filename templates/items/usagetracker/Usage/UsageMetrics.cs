using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AuthApiTemplate.Usage;

/// <summary>
/// What the tracker adds to ASP.NET Core's own <c>http.server.request.duration</c>, as a <see cref="Meter"/> for
/// OpenTelemetry or dotnet-counters: requests and their durations per consumer (the caller's subject: a user id,
/// <c>apikey:&lt;id&gt;</c> or <c>anonymous</c>), by route template, never the raw path.
/// </summary>
public sealed class UsageMetrics
{
    public const string MeterName = "AuthApi.Usage";
    public const string RequestsInstrument = "authapi.usage.requests";
    public const string DurationInstrument = "authapi.usage.request.duration";

    /// <summary>
    /// Consumers that get series of their own for the life of the process; later ones share
    /// <see cref="UsageWindow.OverflowConsumer"/>, so a flood of callers cannot grow the metrics without bound.
    /// </summary>
    public const int MaxConsumers = 200;

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _dropped;
    private readonly ConcurrentDictionary<string, byte> _consumers = new(StringComparer.Ordinal);
    private int _consumerCount;

    public UsageMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _requests = _meter.CreateCounter<long>(
            RequestsInstrument,
            unit: "{request}",
            description: "HTTP requests per consumer, route, method and status class.");
        _duration = _meter.CreateHistogram<double>(
            DurationInstrument,
            unit: "s",
            description: "Duration of HTTP server requests per consumer.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _dropped = _meter.CreateCounter<long>(
            "authapi.usage.dropped",
            unit: "{request}",
            description: "Raw rows or minute rollups the usage tracker dropped because its store could not keep up.");
    }

    public void ObserveQueue(Func<int> queued)
    {
        _meter.CreateObservableUpDownCounter("authapi.usage.queue.size", queued, unit: "{request}",
            description: "Sampled raw rows waiting for the usage writer.");
    }

    public void RecordRequest(in UsageSample sample)
    {
        if (!_requests.Enabled && !_duration.Enabled)
        {
            return;
        }

        var kind = KindOf(sample.Consumer);
        var consumer = ConsumerId(sample.Consumer);
        if (_requests.Enabled)
        {
            var tags = new TagList
            {
                { "authapi.consumer.kind", kind },
                { "authapi.consumer.id", consumer },
                { "http.route", sample.Route },
                { "http.request.method", sample.Method },
                { "authapi.response.status_class", StatusClassOf(sample.StatusCode) },
            };
            _requests.Add(1, tags);
        }

        if (_duration.Enabled)
        {
            _duration.Record(sample.DurationMs / 1000.0, new TagList
            {
                { "authapi.consumer.kind", kind },
                { "authapi.consumer.id", consumer },
            });
        }
    }

    public void RecordDropped(long count) => _dropped.Add(count);

    private static string KindOf(string consumer) =>
        consumer == UsageTrackingMiddleware.Anonymous ? "anonymous"
        : consumer.StartsWith(UsageConsumers.ApiKeyPrefix, StringComparison.Ordinal) ? "apikey"
        : "user";

    private string ConsumerId(string consumer)
    {
        if (_consumers.ContainsKey(consumer))
        {
            return consumer;
        }

        // Racing threads may admit a few past the cap: the bound holds within that slack, with no lock per request.
        if (Volatile.Read(ref _consumerCount) >= MaxConsumers)
        {
            return UsageWindow.OverflowConsumer;
        }

        if (_consumers.TryAdd(consumer, 0))
        {
            Interlocked.Increment(ref _consumerCount);
        }

        return consumer;
    }

    private static string StatusClassOf(int status) => status is >= 100 and <= 599 ? StatusClasses[status / 100 - 1] : "other";
}

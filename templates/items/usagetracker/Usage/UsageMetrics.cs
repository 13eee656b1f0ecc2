using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AuthApiTemplate.Usage;

/// <summary>
/// The same measurements as the tables, as a <see cref="Meter"/> for OpenTelemetry or dotnet-counters, under
/// the OpenTelemetry HTTP semantic-convention names (route template, never the raw path).
/// </summary>
public sealed class UsageMetrics
{
    public const string MeterName = "AuthApi.Usage";

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _dropped;

    public UsageMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _duration = _meter.CreateHistogram<double>(
            "http.server.request.duration",
            unit: "s",
            description: "Duration of HTTP server requests.",
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
        if (!_duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "http.request.method", sample.Method },
            { "http.route", sample.Route },
            { "http.response.status_code", sample.StatusCode },
        };
        _duration.Record(sample.DurationMs / 1000.0, tags);
    }

    public void RecordDropped(long count) => _dropped.Add(count);
}

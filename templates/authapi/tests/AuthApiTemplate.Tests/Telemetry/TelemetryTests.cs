using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
#if (usage)
using AuthApiTemplate.Usage;
#endif

namespace AuthApiTemplate.Tests.Telemetry;

public sealed class TelemetryTests
{
    private static readonly string ServiceName = typeof(Program).Assembly.GetName().Name!;

    [Fact]
    public async Task Traces_metrics_and_logs_are_exported_over_otlp_when_an_endpoint_is_configured()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var database = new TestDatabase();
        // A process of its own, served by Kestrel as in production: the SDK's listeners are process-wide,
        // so in this process they would also trace the receiver and every other test's app.
        await using var server = await AppServer.StartAsync(database.ConnectionString, "Development", OtlpSettings(receiver));
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        // Answered (200, or 401 without a credential) on the route /items either way.
        await client.GetAsync("/items");

        await receiver.WaitForAsync("/v1/traces", ServiceName, "http.route", "/items");
        await receiver.WaitForAsync("/v1/metrics", ServiceName, "http.server.request.duration", "/items");
        await receiver.WaitForAsync("/v1/logs", ServiceName);
#if (usage)
        await receiver.WaitForAsync("/v1/metrics", UsageMetrics.RequestsInstrument, UsageMetrics.DurationInstrument, "authapi.consumer.kind");
#endif

        // Spans end in order and leave in batches, so the probe's would have left with or before the item's.
        Assert.DoesNotContain(receiver.Bodies("/v1/traces"), body => OtlpReceiver.Contains(body, "/health/live"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_sdk_is_registered_only_when_an_otlp_endpoint_is_configured(bool configured)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var factory = configured ? WithOtlp(new ApiFactory(), receiver) : new ApiFactory();

        var services = factory.Services;

        Assert.Equal(configured, services.GetService<MeterProvider>() is not null);
        Assert.Equal(configured, services.GetService<TracerProvider>() is not null);
        Assert.Equal(configured, services.GetServices<ILoggerProvider>().Any(provider => provider is OpenTelemetryLoggerProvider));
    }

    private static Dictionary<string, string> OtlpSettings(OtlpReceiver receiver) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
    };

    private static ApiFactory WithOtlp(ApiFactory factory, OtlpReceiver receiver)
    {
        // Configuration keys rather than environment variables: they reach only this factory's app.
        foreach (var (key, value) in OtlpSettings(receiver))
        {
            factory.Settings[key] = value;
        }

        return factory;
    }
}

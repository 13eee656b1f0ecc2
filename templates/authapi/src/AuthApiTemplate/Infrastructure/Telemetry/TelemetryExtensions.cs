using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
#if (usage)
using AuthApiTemplate.Usage;
#endif

namespace AuthApiTemplate.Infrastructure.Telemetry;

/// <summary>
/// Traces, metrics and logs over OTLP to whatever <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names (a collector, the
/// Aspire dashboard), configured by the standard <c>OTEL_*</c> settings.
/// </summary>
public static class TelemetryExtensions
{
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IHostApplicationBuilder AddApiTelemetry(this IHostApplicationBuilder builder)
    {
        // Without an endpoint nothing would be exported, yet the SDK's listeners would still enable every
        // instrument and activity source and pay for each measurement and span: register nothing instead.
        if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]))
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            // AddService overrides what the SDK reads from OTEL_SERVICE_NAME, so that setting is honoured here.
            .ConfigureResource(resource => resource.AddService(ServiceName(builder)))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
#if (usage)
                .AddRuntimeInstrumentation()
                .AddMeter(UsageMetrics.MeterName))
#else
                .AddRuntimeInstrumentation())
#endif
            .WithTracing(tracing => tracing
                // Probes every few seconds would bury the requests worth looking at.
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsHealthProbe(context.Request.Path))
                .AddHttpClientInstrumentation())
            // Endpoint, protocol, headers and export intervals come from the OTEL_* settings.
            .UseOtlpExporter();

        return builder;
    }

    private static string ServiceName(IHostApplicationBuilder builder) =>
        builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : builder.Environment.ApplicationName;

    private static bool IsHealthProbe(PathString path) => path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}

using System.Diagnostics.Metrics;
using System.Security.Claims;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Secured.Usage;

namespace Micro;

/// <summary>
/// What the usage tracker adds to one request: the middleware around a handler that writes a small JSON
/// body, with the aggregation and the sampled raw row. The queue is drained as the writer would.
/// </summary>
public class TrackerBenchmarks
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"id\":\"0b1c6a52-8f1e-4d2a-9a57-3f3c2c8f5d11\",\"name\":\"bench\"}");

    private readonly DefaultHttpContext _context = new();
    private ServiceProvider _services = null!;
    private UsageTracker _tracker = null!;
    private UsageTrackingMiddleware _middleware = null!;
    private UsageSample _sample;

    [Params(1.0, 0.1)]
    public double SamplingRate { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var options = Options.Create(new UsageOptions { SamplingRate = SamplingRate, QueueCapacity = 1_000_000 });
        _tracker = new UsageTracker(options, new UsageMetrics(_services.GetRequiredService<IMeterFactory>()), TimeProvider.System);
        _middleware = new UsageTrackingMiddleware(WriteItem, _tracker, new UsageRouteNames());

        _context.Request.Method = HttpMethods.Get;
        _context.Request.Path = "/items/0b1c6a52-8f1e-4d2a-9a57-3f3c2c8f5d11";
        _context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "apikey:42")], "ApiKey"));
        _context.SetEndpoint(new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/items/{id:guid}"), 0, EndpointMetadataCollection.Empty, "GetItem"));
        _sample = new UsageSample(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), "GET", "/items/{id}", 200, 1.25, "apikey:42", 0, Body.Length);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Description = "middleware + tracker, one request")]
    public Task Request()
    {
        var task = _middleware.InvokeAsync(_context);
        Drain();
        return task;
    }

    [Benchmark(Description = "UsageTracker.Record alone")]
    public void Record()
    {
        _tracker.Record(_sample);
        Drain();
    }

    private void Drain()
    {
        while (_tracker.RawRows.TryRead(out _))
        {
        }
    }

    private static Task WriteItem(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        var writer = context.Response.BodyWriter;
        Body.CopyTo(writer.GetSpan(Body.Length));
        writer.Advance(Body.Length);
        return Task.CompletedTask;
    }
}

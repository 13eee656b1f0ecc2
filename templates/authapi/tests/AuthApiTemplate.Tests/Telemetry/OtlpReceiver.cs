using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace AuthApiTemplate.Tests.Telemetry;

/// <summary>
/// A stand-in for an OpenTelemetry collector: OTLP over HTTP on a loopback port, keeping every export's
/// path and protobuf body. The bodies are not decoded; names and attribute values are plain UTF-8 in them.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _server;
    private readonly List<(string Path, byte[] Body)> _exports = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OtlpReceiver(WebApplication server) => _server = server;

    /// <summary>The base address to give the exporter as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string Endpoint => _server.Urls.Single();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var receiver = new OtlpReceiver(builder.Build());
        receiver._server.Run(receiver.ReceiveAsync);
        await receiver._server.StartAsync();
        return receiver;
    }

    /// <summary>The first export to <paramref name="path"/> whose body contains every one of <paramref name="expected"/>.</summary>
    public async Task<byte[]> WaitForAsync(string path, params string[] expected)
    {
        var deadline = TimeSpan.FromSeconds(30);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            Task next;
            lock (_lock)
            {
                foreach (var (exportPath, body) in _exports)
                {
                    if (exportPath == path && expected.All(text => Contains(body, text)))
                    {
                        return body;
                    }
                }

                next = _arrived.Task;
            }

            var left = deadline - waited.Elapsed;
            if (left <= TimeSpan.Zero || !await Completes(next, left))
            {
                throw new TimeoutException($"No export to {path} contained {string.Join(", ", expected)}; received: {string.Join(", ", Paths())}.");
            }
        }
    }

    /// <summary>Every body exported to <paramref name="path"/> so far.</summary>
    public IReadOnlyList<byte[]> Bodies(string path)
    {
        lock (_lock)
        {
            return _exports.Where(export => export.Path == path).Select(export => export.Body).ToList();
        }
    }

    public static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }

    private List<string> Paths()
    {
        lock (_lock)
        {
            return _exports.Select(export => export.Path).ToList();
        }
    }

    private static async Task<bool> Completes(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        TaskCompletionSource arrived;
        lock (_lock)
        {
            _exports.Add((context.Request.Path.Value ?? string.Empty, body.ToArray()));
            arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        arrived.SetResult();
        // An empty ExportServiceResponse: everything accepted.
        context.Response.ContentType = "application/x-protobuf";
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}

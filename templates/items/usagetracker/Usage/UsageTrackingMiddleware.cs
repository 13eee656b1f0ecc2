using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;
#if (anyAuth)
using AuthApiTemplate.Auth;
#endif

namespace AuthApiTemplate.Usage;

/// <summary>Marks endpoints the tracker leaves out (its own analytics routes, so the dashboard does not measure itself).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class ExcludeFromUsageTrackingAttribute : Attribute;

/// <summary>
/// Measures every request and hands it to <see cref="UsageTracker"/>. It reads only the method, the matched
/// endpoint's route template, the status, the duration, the sizes and the caller's subject claim: never a
/// path, query string, header value, cookie or body, so no credential can end up in a stored row.
/// </summary>
public sealed class UsageTrackingMiddleware(RequestDelegate next, UsageTracker tracker, UsageRouteNames routes)
{
    public const string Anonymous = "anonymous";

    public async Task InvokeAsync(HttpContext context)
    {
        // Probes would drown the real traffic in the statistics.
        if (context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var time = tracker.Time;
        var started = time.GetTimestamp();
        var bodyFeature = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var counting = new CountingResponseBodyFeature(bodyFeature);
        context.Features.Set<IHttpResponseBodyFeature>(counting);
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            context.Features.Set(bodyFeature);
            var endpoint = context.GetEndpoint();
            if (endpoint?.Metadata.GetMetadata<ExcludeFromUsageTrackingAttribute>() is null)
            {
                var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
                tracker.Record(new UsageSample(
                    time.GetUtcNow().ToUnixTimeMilliseconds(),
                    UsageRouteNames.Method(context.Request.Method),
                    routes.RouteOf(endpoint),
                    status is >= 100 and <= 599 ? status : 0,
                    time.GetElapsedTime(started).TotalMilliseconds,
                    ConsumerOf(context),
                    context.Request.ContentLength ?? 0,
                    counting.BytesWritten));
            }
        }
    }

    private static string ConsumerOf(HttpContext context)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return Anonymous;
        }

#if (anyAuth)
        // Every AuthApi plugin puts the user id, or apikey:<id> for an API key, in the subject claim.
        var subject = user.FindFirst(ApiClaimTypes.Subject)?.Value;
#else
        var subject = user.FindFirst("sub")?.Value;
#endif
        if (string.IsNullOrEmpty(subject))
        {
            return Anonymous;
        }

        return subject.Length <= UsageLimits.ConsumerMaxLength ? subject : subject[..UsageLimits.ConsumerMaxLength];
    }
}

/// <summary>Turns endpoints into the route names the tracker groups by, once per endpoint.</summary>
public sealed class UsageRouteNames
{
    /// <summary>One row for every request that matched no endpoint (404s, 405s, scanners), whatever its URL.</summary>
    public const string Unmatched = "(unmatched)";

    private readonly ConcurrentDictionary<Endpoint, string> _names = new();

    public string RouteOf(Endpoint? endpoint) =>
        endpoint is RouteEndpoint routeEndpoint ? _names.GetOrAdd(routeEndpoint, static e => Format(((RouteEndpoint)e).RoutePattern)) : Unmatched;

    /// <summary>A fixed set of method names, so a made-up method cannot create new series.</summary>
    public static string Method(string method) =>
        HttpMethods.IsGet(method) ? HttpMethods.Get
        : HttpMethods.IsPost(method) ? HttpMethods.Post
        : HttpMethods.IsPut(method) ? HttpMethods.Put
        : HttpMethods.IsDelete(method) ? HttpMethods.Delete
        : HttpMethods.IsPatch(method) ? HttpMethods.Patch
        : HttpMethods.IsHead(method) ? HttpMethods.Head
        : HttpMethods.IsOptions(method) ? HttpMethods.Options
        : "OTHER";

    /// <summary>The template without constraints or defaults: <c>/items/{id:guid}</c> becomes <c>/items/{id}</c>.</summary>
    private static string Format(RoutePattern pattern)
    {
        var route = "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart { IsCatchAll: true } parameter => "{*" + parameter.Name + "}",
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            _ => string.Empty,
        }))));
        return route.Length <= UsageLimits.RouteMaxLength ? route : route[..UsageLimits.RouteMaxLength];
    }
}

/// <summary>Counts response bytes on their way out, whether the app writes through the stream, the pipe or sendfile.</summary>
internal sealed class CountingResponseBodyFeature(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
{
    private CountingStream? _stream;
    private CountingPipeWriter? _writer;

    public long BytesWritten;

    public Stream Stream => _stream ??= new CountingStream(inner.Stream, this);

    public PipeWriter Writer => _writer ??= new CountingPipeWriter(inner.Writer, this);

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        BytesWritten += count ?? Math.Max(0, new FileInfo(path).Length - offset);
        return inner.SendFileAsync(path, offset, count, cancellationToken);
    }

    public Task CompleteAsync() => inner.CompleteAsync();

    private sealed class CountingPipeWriter(PipeWriter inner, CountingResponseBodyFeature owner) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            owner.BytesWritten += bytes;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            owner.BytesWritten += source.Length;
            return inner.WriteAsync(source, cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    private sealed class CountingStream(Stream inner, CountingResponseBodyFeature owner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            owner.BytesWritten += count;
            inner.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            owner.BytesWritten += buffer.Length;
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            owner.BytesWritten += count;
            return inner.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            owner.BytesWritten += buffer.Length;
            return inner.WriteAsync(buffer, cancellationToken);
        }
    }
}

using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Diagnostics;
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

    public Task InvokeAsync(HttpContext context)
    {
        // Probes would drown the real traffic in the statistics.
        if (context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        var started = tracker.Time.GetTimestamp();
        var counting = new CountingResponseBodyFeature(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(counting);
        Task pending;
        try
        {
            pending = next(context);
        }
        catch
        {
            Complete(context, counting, started, failed: true);
            throw;
        }

        // Most requests finish synchronously (SQLite's async calls complete inline): no state machine for them.
        if (pending.IsCompletedSuccessfully)
        {
            Complete(context, counting, started, failed: false);
            return Task.CompletedTask;
        }

        return AwaitAsync(pending, context, counting, started);
    }

    private async Task AwaitAsync(Task pending, HttpContext context, CountingResponseBodyFeature counting, long started)
    {
        var failed = false;
        try
        {
            await pending;
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            Complete(context, counting, started, failed);
        }
    }

    private void Complete(HttpContext context, CountingResponseBodyFeature counting, long started, bool failed)
    {
        context.Features.Set(counting.Inner);
        // The exception handler clears the endpoint before it writes its problem; it keeps the one that failed.
        var endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        if (endpoint?.Metadata.GetMetadata<ExcludeFromUsageTrackingAttribute>() is not null)
        {
            return;
        }

        var time = tracker.Time;
        // An exception that escaped the error handling broke the response, even one whose status was already
        // sent: a failure of the server's, or of the client's if it went away.
        var status = !failed ? context.Response.StatusCode
            : context.RequestAborted.IsCancellationRequested ? StatusCodes.Status499ClientClosedRequest
            : StatusCodes.Status500InternalServerError;
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

/// <summary>
/// Counts response bytes on their way out, whether the app writes through the stream, the pipe or sendfile.
/// It is its own pipe writer (the path JSON responses take), so a request costs one object here.
/// </summary>
internal sealed class CountingResponseBodyFeature(IHttpResponseBodyFeature inner) : PipeWriter, IHttpResponseBodyFeature
{
    private CountingStream? _stream;

    public long BytesWritten;

    public IHttpResponseBodyFeature Inner => inner;

    public Stream Stream => _stream ??= new CountingStream(inner.Stream, this);

    public PipeWriter Writer => this;

    public override bool CanGetUnflushedBytes => inner.Writer.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.Writer.UnflushedBytes;

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        BytesWritten += count ?? Math.Max(0, new FileInfo(path).Length - offset);
        return inner.SendFileAsync(path, offset, count, cancellationToken);
    }

    Task IHttpResponseBodyFeature.CompleteAsync() => inner.CompleteAsync();

    public override void Advance(int bytes)
    {
        BytesWritten += bytes;
        inner.Writer.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.Writer.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => inner.Writer.GetSpan(sizeHint);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.Writer.FlushAsync(cancellationToken);

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        BytesWritten += source.Length;
        return inner.Writer.WriteAsync(source, cancellationToken);
    }

    public override void CancelPendingFlush() => inner.Writer.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Writer.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.Writer.CompleteAsync(exception);

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
